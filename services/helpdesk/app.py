"""helpdesk's process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.common.events.contracts.helpdesk import HelpRequested
from services.common.kafka.streams import route
from services.common.kafka.topics import HELPDESK_REQUESTS
from services.common.runtime import platform_runtime
from services.common.web import create_service_app
from services.helpdesk.consumers.requests import RequestHandlers
from services.helpdesk.settings import HelpdeskSettings
from services.helpdesk.store import TicketRepository

SERVICE = "helpdesk"


def create_app(settings: HelpdeskSettings | None = None) -> FastAPI:
    settings = settings or HelpdeskSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with platform_runtime(
            service=SERVICE, settings=settings, indexes=[TicketRepository.indexes()]
        ) as runtime:
            handlers = RequestHandlers(tickets=TicketRepository(runtime.store))
            async with runtime.serving(
                app, [route(HELPDESK_REQUESTS, HelpRequested, handlers.on_help_requested)]
            ):
                yield

    return create_service_app(
        service=SERVICE,
        title="helpdesk",
        description="The helpdesk's tickets and staff queue.",
        lifespan=lifespan,
    )
