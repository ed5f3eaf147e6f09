"""ai_chat's process: Dai-chan answering `line.inbound`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from services.ai_chat.consumers.inbound import ChatHandlers
from services.ai_chat.domain.responders import OfflineResponder, OpenAIResponder, Responder
from services.ai_chat.settings import AiChatSettings
from services.ai_chat.store import ConversationRepository
from services.common.events.contracts.line import MessageReceived
from services.common.kafka.streams import route
from services.common.kafka.topics import LINE_INBOUND
from services.common.logging import get_logger
from services.common.runtime import platform_runtime
from services.common.web import create_service_app

SERVICE = "ai_chat"
log = get_logger(__name__)


def build_responder(settings: AiChatSettings) -> Responder:
    if not settings.openai_api_key:
        log.info("no OPENAI_API_KEY: Dai-chan uses the offline responder")
        return OfflineResponder()
    return OpenAIResponder(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout_seconds=settings.openai_timeout_seconds,
        max_retries=settings.openai_max_retries,
        max_output_tokens=settings.openai_max_output_tokens,
    )


def create_app(settings: AiChatSettings | None = None) -> FastAPI:
    settings = settings or AiChatSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with platform_runtime(
            service=SERVICE,
            settings=settings,
            indexes=[
                ConversationRepository.indexes(
                    retention=timedelta(days=settings.conversation_retention_days)
                )
            ],
        ) as runtime:
            responder = build_responder(settings)
            handlers = ChatHandlers(
                responder=responder,
                conversations=ConversationRepository(runtime.store),
                history_turns=settings.history_turns,
            )
            try:
                async with runtime.serving(
                    app, [route(LINE_INBOUND, MessageReceived, handlers.on_message_received)]
                ):
                    yield
            finally:
                await responder.close()

    return create_service_app(
        service=SERVICE,
        title="ai_chat",
        description="大ちゃん (Dai-chan), the AI companion, answering seniors on LINE.",
        lifespan=lifespan,
    )
