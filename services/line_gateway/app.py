"""line_gateway's process: the webhook API plus the `line.outbound` sender."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from services.common.events.contracts.line import SendRequested
from services.common.kafka.streams import route
from services.common.kafka.topics import LINE_OUTBOUND
from services.common.runtime import platform_runtime
from services.common.web import create_service_app
from services.line_gateway.api import webhook
from services.line_gateway.clients.messaging import LineMessaging
from services.line_gateway.consumers.outbound import OutboundSender
from services.line_gateway.domain.intake import WebhookIntake
from services.line_gateway.settings import LineGatewaySettings
from services.line_gateway.store import (
    DeliveryRepository,
    LineUserRepository,
    all_indexes,
)

SERVICE = "line_gateway"


def create_app(settings: LineGatewaySettings | None = None) -> FastAPI:
    settings = settings or LineGatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with platform_runtime(
            service=SERVICE,
            settings=settings,
            indexes=all_indexes(webhook_event_retention_days=settings.webhook_event_retention_days),
        ) as runtime:
            messaging = LineMessaging(
                base_url=settings.api_base_url,
                access_token=settings.channel_access_token,
                timeout_seconds=settings.api_timeout_seconds,
            )
            sender = OutboundSender(
                messaging=messaging,
                deliveries=DeliveryRepository(runtime.store),
                users=LineUserRepository(runtime.store),
            )
            app.state.settings = settings
            app.state.intake = WebhookIntake(
                store=runtime.store,
                reply_token_ttl=timedelta(seconds=settings.reply_token_ttl_seconds),
            )
            try:
                async with runtime.serving(
                    app, [route(LINE_OUTBOUND, SendRequested, sender.on_send_requested)]
                ):
                    yield
            finally:
                await messaging.close()

    return create_service_app(
        service=SERVICE,
        title="line_gateway",
        description="おおさか楽なび's door to LINE: webhooks in, messages out.",
        lifespan=lifespan,
        routers=[webhook.router],
    )
