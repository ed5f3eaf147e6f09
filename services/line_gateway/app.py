"""line_gateway's process and its wiring: the webhook API, the `line.outbound` sender, its own
follow-ups on `line.inbound`, the read models it keeps from `helpdesk.events` and
`lending.events`, the rich menu provisioning and the periodic jobs (quota, user counts,
stored profiles erased). Repositories are built here, once, and passed in. The webhook path
(`webhook_intake`) and the sender path (`sending_side`) share only repositories and the LINE
client, and `LineGatewaySettings.role` picks which of them a process runs: `webhook` and `sender`
in separate processes (the devstack and the deployments), or `all` in one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
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
    SendPriority,
    SendRequested,
)
from services.common.kafka.handling import Route, recognising, route
from services.common.kafka.topics import (
    HELPDESK_EVENTS,
    LENDING_EVENTS,
    LINE_INBOUND,
    LINE_OUTBOUND,
)
from services.common.runtime import platform_runtime
from services.common.store import MongoStore
from services.common.store.outbox import Lease, OutboxLanes
from services.common.store.processed import ProcessedEvents
from services.common.web import create_service_app
from services.line_gateway.api import webhook
from services.line_gateway.clients.messaging import LineMessaging
from services.line_gateway.consumers.helpdesk import ModeHandlers
from services.line_gateway.consumers.inbound import InboundFollowUps
from services.line_gateway.consumers.lending import LendingHandlers
from services.line_gateway.consumers.outbound import OutboundSender
from services.line_gateway.domain.delivery import UnknownReply
from services.line_gateway.domain.webhook import KNOWN_EVENT_TYPES
from services.line_gateway.metrics import UNKNOWN_REPLY_OUTCOMES, WEBHOOK_EVENTS
from services.line_gateway.settings import GatewayRole, LineGatewaySettings
from services.line_gateway.store import (
    ChatGroupRepository,
    DeliveryRepository,
    LineUserRepository,
    LinkCodeRepository,
    RichMenuRepository,
    UsageRepository,
    WebhookEventRepository,
    all_indexes,
)
from services.line_gateway.usecases.budget import BudgetKeeper
from services.line_gateway.usecases.intake import WebhookIntake
from services.line_gateway.usecases.linking import AccountLinking, LinkingRules
from services.line_gateway.usecases.loading import LoadingAnimation
from services.line_gateway.usecases.maintenance import PeriodicJobs
from services.line_gateway.usecases.rich_menu import LEASE_NAME, LEASE_TTL, RichMenuProvisioner

SERVICE = "line_gateway"


def outbox_lanes(role: GatewayRole) -> OutboxLanes:
    """Each role relays what it wrote, under its own lease, and stands by for the other's lane.

    One lease for both processes made them fight over it every second, and whichever won relayed
    the other's entries too: the webhook's loop relaying the sender's backlog, or every inbound
    event waiting for the sender's loop. With a lane each, the webhook's events leave from the
    webhook process right after its commit, the sender's from the sender, and if either process
    dies the other drains its lane once the lease expires (15 s). The None lane holds entries
    written before lanes and by an `all` process; the sender relays it. An `all` process relays
    every lane, each under its lane's lease, so it can run beside or after split processes.
    """
    if role is GatewayRole.WEBHOOK:
        return OutboxLanes(writes="webhook", relays=("webhook",), standby=("sender", None))
    if role is GatewayRole.SENDER:
        return OutboxLanes(writes="sender", relays=("sender", None), standby=("webhook",))
    return OutboxLanes(writes=None, relays=(None, "webhook", "sender"))


@dataclass(frozen=True)
class Repositories:
    """Every repository of the gateway, built once per process and passed to who needs it."""

    events: WebhookEventRepository
    users: LineUserRepository
    groups: ChatGroupRepository
    codes: LinkCodeRepository
    deliveries: DeliveryRepository
    usage: UsageRepository
    menus: RichMenuRepository

    @classmethod
    def on(cls, store: MongoStore) -> Repositories:
        return cls(
            events=WebhookEventRepository(store),
            users=LineUserRepository(store),
            groups=ChatGroupRepository(store),
            codes=LinkCodeRepository(store),
            deliveries=DeliveryRepository(store),
            usage=UsageRepository(store),
            menus=RichMenuRepository(store),
        )


def webhook_intake(
    settings: LineGatewaySettings,
    *,
    store: MongoStore,
    repos: Repositories,
    loading: LoadingAnimation,
) -> WebhookIntake:
    """The webhook path: LINE's events in, recorded with what follows them."""
    return WebhookIntake(
        store=store,
        events=repos.events,
        users=repos.users,
        groups=repos.groups,
        linking=AccountLinking(
            codes=repos.codes,
            users=repos.users,
            rules=LinkingRules(
                max_failures=settings.link_max_failures,
                failure_window=timedelta(seconds=settings.link_failure_window_seconds),
                code_secret=settings.link_code_secret,
            ),
        ),
        loading=loading,
        reply_token_ttl=timedelta(seconds=settings.reply_token_ttl_seconds),
    )


def sender_routes(
    settings: LineGatewaySettings,
    *,
    repos: Repositories,
    messaging: LineMessaging,
    budget: BudgetKeeper,
) -> list[Route[Any]]:
    """The sender path: `line.outbound` commands out to LINE."""
    sender = OutboundSender(
        deliveries=repos.deliveries,
        users=repos.users,
        usage=repos.usage,
        messaging=messaging,
        budget=budget,
        multicast_batch_size=settings.multicast_batch,
    )
    return [
        # The delivery's own record tells a finished command (consumers/outbound.py).
        recognising(LINE_OUTBOUND, SendRequested, sender.on_send_requested),
        route(LINE_OUTBOUND, MulticastRequested, decide=sender.on_multicast_requested),
    ]


def read_model_routes(
    settings: LineGatewaySettings,
    *,
    store: MongoStore,
    repos: Repositories,
    messaging: LineMessaging,
) -> list[Route[Any]]:
    """The gateway's own follow-ups on `line.inbound`, and what it keeps from other services."""
    follow_ups = InboundFollowUps(
        menus=repos.menus,
        messaging=messaging,
        audio_max_seconds=settings.audio_max_seconds,
        audio_max_bytes=settings.audio_max_bytes,
        rich_menus_enabled=settings.rich_menu_enabled,
        processed=ProcessedEvents(store),
        group=SERVICE,
    )
    modes = ModeHandlers(users=repos.users)
    lending = LendingHandlers(codes=repos.codes, users=repos.users)
    return [
        # The follow-ups' `None` claims nothing (a text has no follow-up, a menu linked twice is
        # the same), so the framework's claim read could only ever miss: a voice message, the one
        # follow-up that commits, reads its own (consumers/inbound.py).
        recognising(LINE_INBOUND, MessageReceived, follow_ups.on_message_received),
        recognising(LINE_INBOUND, AccountLinked, follow_ups.on_account_linked),
        recognising(LINE_INBOUND, AccountUnlinked, follow_ups.on_account_unlinked),
        route(HELPDESK_EVENTS, ConversationHandedOver, apply=modes.on_handed_over),
        route(HELPDESK_EVENTS, ConversationHandedBack, apply=modes.on_handed_back),
        route(LENDING_EVENTS, LinkCodeIssuedV2, decide=lending.on_link_code_issued),
        route(LENDING_EVENTS, ParticipantErased, apply=lending.on_participant_erased),
    ]


@contextlib.asynccontextmanager
async def sending_side(
    settings: LineGatewaySettings,
    *,
    store: MongoStore,
    repos: Repositories,
    messaging: LineMessaging,
) -> AsyncIterator[list[Route[Any]]]:
    """The sender role's work besides its routes: the periodic jobs (quota, user counts,
    erasing LINE profiles earlier versions stored) and the rich menu provisioning."""
    budget = BudgetKeeper(
        usage=repos.usage,
        configured_budget=settings.monthly_push_budget,
        cache_seconds=settings.budget_cache_seconds,
        exact_within=settings.budget_exact_within,
    )
    jobs = PeriodicJobs(
        messaging=messaging,
        budget=budget,
        users=repos.users,
        quota_every=settings.quota_refresh_seconds,
        users_metrics_every=settings.users_metrics_seconds,
        maintenance_every=settings.maintenance_interval_seconds,
    )
    provisioning: asyncio.Task[None] | None = None
    if settings.rich_menu_enabled:
        provisioner = RichMenuProvisioner(
            menus=repos.menus,
            users=repos.users,
            lease=Lease(store, name=LEASE_NAME, owner=settings.instance_id, ttl=LEASE_TTL),
            messaging=messaging,
            retry_seconds=settings.rich_menu_retry_seconds,
        )
        provisioning = asyncio.create_task(provisioner.run(), name="rich-menu")
    jobs.start()
    try:
        yield [
            *sender_routes(settings, repos=repos, messaging=messaging, budget=budget),
            *read_model_routes(settings, store=store, repos=repos, messaging=messaging),
        ]
    finally:
        if provisioning is not None:
            provisioning.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await provisioning
        await jobs.stop()
        await budget.stop()


def create_app(settings: LineGatewaySettings | None = None) -> FastAPI:
    settings = settings or LineGatewaySettings()
    role = settings.role

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
            outbox_lanes=outbox_lanes(role),
        ) as runtime:
            store = runtime.store
            repos = Repositories.on(store)
            messaging = LineMessaging(
                base_url=settings.api_base_url,
                data_base_url=settings.data_host,
                access_token=settings.channel_access_token,
                timeout_seconds=settings.api_timeout_seconds,
                proxy=settings.line_api_proxy,
            )
            loading = LoadingAnimation(
                messaging=messaging,
                seconds=settings.loading_animation_seconds,
                max_age=timedelta(seconds=settings.loading_max_age_seconds),
            )
            app.state.settings = settings
            if role.serves_webhook:
                app.state.intake = webhook_intake(
                    settings, store=store, repos=repos, loading=loading
                )
            try:
                async with contextlib.AsyncExitStack() as stack:
                    routes: list[Route[Any]] = []
                    if role.consumes:
                        routes = await stack.enter_async_context(
                            sending_side(settings, store=store, repos=repos, messaging=messaging)
                        )
                    # The webhook role consumes nothing: no consumer group member, no agents.
                    await stack.enter_async_context(runtime.serving(app, routes))
                    yield
            finally:
                await loading.stop()
                await messaging.close()

    return create_service_app(
        service=SERVICE,
        title="line_gateway",
        description="おおさか楽なび's door to LINE: webhooks in, messages out.",
        lifespan=lifespan,
        routers=[webhook.router] if role.serves_webhook else [],
    )
