"""ai_chat's process: Dai-chan answering `line.inbound`, keeping its read models, checking in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from services.ai_chat.api.preferred_name import StaffReads
from services.ai_chat.api.preferred_name import router as preferred_name_router
from services.ai_chat.clients.model import ModelClient, TokenPrices
from services.ai_chat.consumers.helpdesk import HelpdeskHandlers
from services.ai_chat.consumers.inbound import InboundHandlers
from services.ai_chat.consumers.recording import OutcomeRecorder
from services.ai_chat.domain.dialogue import DialogueSettings
from services.ai_chat.domain.faq.answers import Desk, hours_in_words
from services.ai_chat.domain.responders import Persona
from services.ai_chat.metrics import initialise as initialise_metrics
from services.ai_chat.settings import AiChatSettings
from services.ai_chat.store.seniors import SeniorRepository
from services.ai_chat.usecases.checkins import CheckinScheduler, CheckinSettings
from services.ai_chat.usecases.dialogue import Dialogue
from services.common.auth import AuditLog
from services.common.calendar import BusinessCalendar
from services.common.events.contracts import helpdesk, line
from services.common.kafka.handling import Route, recognising, route
from services.common.kafka.topics import HELPDESK_EVENTS, LENDING_EVENTS, LINE_INBOUND
from services.common.logging import get_logger
from services.common.programme.handlers import ProgrammeHandlers, programme_routes
from services.common.programme.projection import ProgrammeProjection
from services.common.runtime import platform_runtime
from services.common.web import create_service_app

SERVICE = "ai_chat"
log = get_logger(__name__)


def build_model(settings: AiChatSettings) -> ModelClient | None:
    if not settings.openai_api_key:
        log.info("no OPENAI_API_KEY: Dai-chan uses the offline responder")
        return None
    return ModelClient(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        chat_model=settings.openai_model,
        moderation_model=settings.openai_moderation_model,
        transcription_model=settings.openai_transcription_model,
        timeout_seconds=settings.openai_timeout_seconds,
        max_retries=settings.openai_max_retries,
        max_output_tokens=settings.openai_max_output_tokens,
        http_pools=settings.openai_http_pools,
        prices=TokenPrices(
            input_yen_per_million=settings.openai_input_yen_per_million_tokens,
            output_yen_per_million=settings.openai_output_yen_per_million_tokens,
        ),
    )


def dialogue_settings(settings: AiChatSettings) -> DialogueSettings:
    return DialogueSettings(
        history_turns=settings.history_turns,
        summary_every_turns=settings.summary_every_turns,
        daily_token_budget=settings.daily_token_budget,
        handover_pending_timeout=timedelta(minutes=settings.handover_pending_timeout_minutes),
        confirmation_ttl=timedelta(minutes=settings.confirmation_ttl_minutes),
        moderation_enabled=settings.moderation_enabled,
        triage_enabled=settings.safety_triage_enabled,
        triage_timeout_seconds=settings.safety_triage_timeout_seconds,
        transcript_min_chars=settings.transcript_min_chars,
        transcript_min_confidence=settings.transcript_min_confidence,
        desk=Desk(
            hours=hours_in_words(
                settings.helpdesk_business_hours,
                settings.helpdesk_business_days,
                observe_holidays=settings.helpdesk_observe_holidays,
            ),
            phone=settings.helpdesk_phone,
            email=settings.helpdesk_email,
        ),
        calendar=BusinessCalendar.from_settings(
            settings.helpdesk_business_hours,
            settings.helpdesk_business_days,
            observe_holidays=settings.helpdesk_observe_holidays,
        ),
    )


def routes(
    inbound: InboundHandlers, programme: ProgrammeHandlers, helpdesk_handlers: HelpdeskHandlers
) -> list[Route[Any]]:
    return [
        # Each reads the event's processed mark with the senior, in one command, and tells a
        # redelivery itself (`consumers/inbound.py`).
        recognising(LINE_INBOUND, line.MessageReceived, inbound.on_message_received),
        recognising(LINE_INBOUND, line.PostbackReceived, inbound.on_postback_received),
        recognising(LINE_INBOUND, line.AudioFetched, inbound.on_audio_fetched),
        recognising(LINE_INBOUND, line.UserFollowed, inbound.on_user_followed),
        recognising(LINE_INBOUND, line.UserUnfollowed, inbound.on_user_unfollowed),
        *programme_routes(LENDING_EVENTS, programme),
        route(
            HELPDESK_EVENTS, helpdesk.ConversationHandedOver, apply=helpdesk_handlers.on_handed_over
        ),
        route(
            HELPDESK_EVENTS, helpdesk.ConversationHandedBack, apply=helpdesk_handlers.on_handed_back
        ),
        route(HELPDESK_EVENTS, helpdesk.StaffReplied, apply=helpdesk_handlers.on_staff_replied),
    ]


def create_app(settings: AiChatSettings | None = None) -> FastAPI:
    settings = settings or AiChatSettings()
    retention = timedelta(days=settings.conversation_retention_days)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        initialise_metrics()
        async with platform_runtime(
            service=SERVICE,
            settings=settings,
            indexes=[
                SeniorRepository.indexes(),
                *ProgrammeProjection.indexes(),
                AuditLog.indexes(retention=timedelta(days=settings.audit_retention_days)),
            ],
        ) as runtime:
            model = build_model(settings)
            seniors = SeniorRepository(runtime.store)
            app.state.staff_reads = StaffReads(
                seniors=seniors,
                audit=AuditLog(runtime.store),
                secret=settings.preferred_name_secret,
            )
            programme = ProgrammeProjection(runtime.store)
            dialogue = Dialogue(
                seniors=seniors,
                programme=programme,
                model=model,
                persona=Persona.load(settings.persona_version),
                settings=dialogue_settings(settings),
            )
            recorder = OutcomeRecorder(
                seniors=seniors,
                handover_pending_timeout=timedelta(
                    minutes=settings.handover_pending_timeout_minutes
                ),
                keep_turns=max(settings.history_turns, settings.summary_every_turns),
            )
            scheduler = CheckinScheduler(
                store=runtime.store,
                seniors=seniors,
                settings=CheckinSettings(
                    poll_seconds=settings.checkin_poll_seconds,
                    max_lateness=timedelta(minutes=settings.checkin_max_lateness_minutes),
                    inactivity_days=settings.inactivity_flag_days,
                    memory_retention=retention,
                ),
            )
            handlers = routes(
                InboundHandlers(
                    dialogue=dialogue, recorder=recorder, seniors=seniors, group=runtime.service
                ),
                ProgrammeHandlers(projection=programme, also_erase=[seniors]),
                HelpdeskHandlers(seniors=seniors),
            )
            try:
                async with runtime.serving(app, handlers):
                    scheduler.start()
                    try:
                        yield
                    finally:
                        await scheduler.stop()
            finally:
                if model is not None:
                    await model.close()

    return create_service_app(
        service=SERVICE,
        title="ai_chat",
        description="大ちゃん (Dai-chan), the AI companion, answering seniors on LINE.",
        lifespan=lifespan,
        routers=[preferred_name_router],
    )
