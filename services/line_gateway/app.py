"""line_gateway's process: the webhook API, the `line.outbound` sender, its own follow-ups on
`line.inbound`, the read models it keeps from `helpdesk.events` and `lending.events`, the rich
menu provisioning and the periodic jobs (quota, personal-data retention)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from services.common.events.contracts.helpdesk import (
    ConversationHandedBack,
    ConversationHandedOver,
)
from services.common.events.contracts.lending import LinkCodeIssuedV2, ParticipantErased
from services.common.events.contracts.line import (
    AccountLinked,
    AccountUnlinked,
    MessageReceived,
    MulticastRequested,
    PostbackReceived,
    SendPriority,
    SendRequested,
    UserFollowed,
)
from services.common.kafka.handling import Route, route
from services.common.kafka.topics import (
    HELPDESK_EVENTS,
    LENDING_EVENTS,
    LINE_INBOUND,
    LINE_OUTBOUND,
)
from services.common.runtime import platform_runtime
from services.common.web import create_service_app
from services.line_gateway.api import webhook
from services.line_gateway.clients.messaging import LineMessaging
from services.line_gateway.consumers.helpdesk import ModeHandlers
from services.line_gateway.consumers.inbound import InboundFollowUps
from services.line_gateway.consumers.lending import LendingHandlers
from services.line_gateway.consumers.outbound import OutboundSender
from services.line_gateway.domain.budget import BudgetKeeper
from services.line_gateway.domain.delivery import UnknownReply
from services.line_gateway.domain.intake import LinkingRules, WebhookIntake
from services.line_gateway.domain.maintenance import PeriodicJobs
from services.line_gateway.domain.rich_menu import RichMenuProvisioner
from services.line_gateway.domain.webhook import KNOWN_EVENT_TYPES
from services.line_gateway.metrics import UNKNOWN_REPLY_OUTCOMES, WEBHOOK_EVENTS
from services.line_gateway.settings import LineGatewaySettings
from services.line_gateway.store import LineUserRepository, UsageRepository, all_indexes

SERVICE = "line_gateway"


def create_app(settings: LineGatewaySettings | None = None) -> FastAPI:
    settings = settings or LineGatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # LINE's event types start at zero, so the first message of a kind shows as an increase.
        for event_type in KNOWN_EVENT_TYPES:
            WEBHOOK_EVENTS.labels(event_type, "published")
        for priority in SendPriority:
            for decision in UnknownReply:
                UNKNOWN_REPLY_OUTCOMES.labels(priority.value, decision.value)
        async with platform_runtime(
            service=SERVICE,
            settings=settings,
            indexes=all_indexes(
                webhook_event_retention_days=settings.webhook_event_retention_days,
                link_code_retention_days=settings.link_code_retention_days,
            ),
        ) as runtime:
            store = runtime.store
            messaging = LineMessaging(
                base_url=settings.api_base_url,
                data_base_url=settings.data_host,
                access_token=settings.channel_access_token,
                timeout_seconds=settings.api_timeout_seconds,
            )
            budget = BudgetKeeper(
                usage=UsageRepository(store), configured_budget=settings.monthly_push_budget
            )
            sender = OutboundSender(
                store=store,
                messaging=messaging,
                budget=budget,
                multicast_batch_size=settings.multicast_batch,
            )
            follow_ups = InboundFollowUps(
                store=store,
                messaging=messaging,
                loading_seconds=settings.loading_animation_seconds,
                loading_max_age=timedelta(seconds=settings.loading_max_age_seconds),
                profile_refresh=timedelta(hours=settings.profile_refresh_hours),
                audio_max_seconds=settings.audio_max_seconds,
                audio_max_bytes=settings.audio_max_bytes,
                rich_menus_enabled=settings.rich_menu_enabled,
            )
            modes = ModeHandlers(store=store)
            lending = LendingHandlers(store=store)
            app.state.settings = settings
            app.state.intake = WebhookIntake(
                store=store,
                reply_token_ttl=timedelta(seconds=settings.reply_token_ttl_seconds),
                linking=LinkingRules(
                    max_failures=settings.link_max_failures,
                    failure_window=timedelta(seconds=settings.link_failure_window_seconds),
                    code_secret=settings.link_code_secret,
                ),
            )
            jobs = PeriodicJobs(
                messaging=messaging,
                budget=budget,
                users=LineUserRepository(store),
                quota_every=settings.quota_refresh_seconds,
                users_metrics_every=settings.users_metrics_seconds,
                maintenance_every=settings.maintenance_interval_seconds,
                retention=timedelta(days=settings.personal_data_retention_days),
            )
            provisioning: asyncio.Task[None] | None = None
            if settings.rich_menu_enabled:
                provisioner = RichMenuProvisioner(
                    store=store,
                    messaging=messaging,
                    owner=settings.instance_id,
                    retry_seconds=settings.rich_menu_retry_seconds,
                )
                provisioning = asyncio.create_task(provisioner.run(), name="rich-menu")
            routes: list[Route[Any]] = [
                route(LINE_OUTBOUND, SendRequested, decide=sender.on_send_requested),
                route(LINE_OUTBOUND, MulticastRequested, decide=sender.on_multicast_requested),
                route(LINE_INBOUND, MessageReceived, decide=follow_ups.on_message_received),
                route(LINE_INBOUND, PostbackReceived, decide=follow_ups.on_postback_received),
                route(LINE_INBOUND, UserFollowed, decide=follow_ups.on_user_followed),
                route(LINE_INBOUND, AccountLinked, decide=follow_ups.on_account_linked),
                route(LINE_INBOUND, AccountUnlinked, decide=follow_ups.on_account_unlinked),
                route(HELPDESK_EVENTS, ConversationHandedOver, apply=modes.on_handed_over),
                route(HELPDESK_EVENTS, ConversationHandedBack, apply=modes.on_handed_back),
                route(LENDING_EVENTS, LinkCodeIssuedV2, decide=lending.on_link_code_issued),
                route(LENDING_EVENTS, ParticipantErased, apply=lending.on_participant_erased),
            ]
            jobs.start()
            try:
                async with runtime.serving(app, routes):
                    yield
            finally:
                if provisioning is not None:
                    provisioning.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await provisioning
                await jobs.stop()
                await messaging.close()

    return create_service_app(
        service=SERVICE,
        title="line_gateway",
        description="おおさか楽なび's door to LINE: webhooks in, messages out.",
        lifespan=lifespan,
        routers=[webhook.router],
    )
