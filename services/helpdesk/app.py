"""helpdesk's process: the ticket consumers, the staff API and page, and the SLA checker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.common.auth import AuditLog, StaffAccounts
from services.common.auth.accounts import parse_demo_accounts
from services.common.auth.web import StaffAuth
from services.common.events.contracts import helpdesk as hd
from services.common.events.contracts import line
from services.common.kafka.handling import Route, recognising, route
from services.common.kafka.topics import (
    HELPDESK_REQUESTS,
    LENDING_EVENTS,
    LINE_DELIVERIES,
    LINE_INBOUND,
    LINE_OUTBOUND,
)
from services.common.logging import get_logger
from services.common.metrics import REJECTED_INPUT
from services.common.periodic import Periodic
from services.common.programme.handlers import ProgrammeHandlers, programme_routes
from services.common.programme.projection import ProgrammeProjection
from services.common.runtime import platform_runtime
from services.common.store import MongoStore
from services.common.time import utcnow
from services.common.web import create_service_app
from services.helpdesk.api import attachments as attachments_api
from services.helpdesk.api import auth as auth_api
from services.helpdesk.api import canned as canned_api
from services.helpdesk.api import pages
from services.helpdesk.api import safety_reviews as safety_reviews_api
from services.helpdesk.api import senior as senior_api
from services.helpdesk.api import tickets as tickets_api
from services.helpdesk.api.deps import Helpdesk
from services.helpdesk.api.live import Broadcaster
from services.helpdesk.api.views import live_summary
from services.helpdesk.clients.daichan import DaichanNames
from services.helpdesk.clients.lending import LendingContacts
from services.helpdesk.clients.mailbox import ImapMailbox
from services.helpdesk.clients.submission import submit
from services.helpdesk.consumers.context import ContextHandlers, ConversationFiling
from services.helpdesk.consumers.deliveries import DeliveryHandlers
from services.helpdesk.consumers.inbound import InboundHandlers
from services.helpdesk.consumers.mailbox import MailReader
from services.helpdesk.consumers.requests import RequestHandlers
from services.helpdesk.domain import texts
from services.helpdesk.domain.change import TicketRules
from services.helpdesk.domain.errors import TicketError
from services.helpdesk.domain.mail.model import MailLimits
from services.helpdesk.domain.tickets import InvalidTransition
from services.helpdesk.jobs import refresh_backlog_metrics
from services.helpdesk.metrics import initialise as initialise_metrics
from services.helpdesk.settings import HelpdeskSettings
from services.helpdesk.store import (
    AttachmentStore,
    CannedResponseRepository,
    ChangeFeed,
    ContextRepository,
    MailIntakeLog,
    MailOutbox,
    PresenceRepository,
    SafetyReviewRepository,
    TicketRepository,
)
from services.helpdesk.usecases.mail_intake import MailIntake
from services.helpdesk.usecases.mail_replies import MailReplies
from services.helpdesk.usecases.opening import Opening
from services.helpdesk.usecases.periodic import ResolvedClosing, SlaCheck
from services.helpdesk.usecases.senior import SeniorWork
from services.helpdesk.usecases.staff import StaffWork

SERVICE = "helpdesk"
log = get_logger(__name__)


def consumer_routes(
    requests: RequestHandlers,
    inbound: InboundHandlers,
    context: ContextHandlers,
    programme: ProgrammeHandlers,
    deliveries: DeliveryHandlers,
) -> list[Route[Any]]:
    return [
        route(HELPDESK_REQUESTS, hd.HelpRequested, apply=requests.on_help_requested),
        # Handlers with no outside work: a redelivery files again to no effect, or its Commit
        # fails on the claim, so no claim read comes first (`handling.py`).
        recognising(LINE_INBOUND, line.MessageReceived, inbound.on_message_received),
        recognising(LINE_INBOUND, line.PostbackReceived, inbound.on_postback_received),
        recognising(LINE_OUTBOUND, line.SendRequested, context.on_send_requested),
        recognising(LINE_DELIVERIES, line.DeliveryCompleted, deliveries.on_delivery_completed),
        *programme_routes(LENDING_EVENTS, programme),
    ]


def mail_intake(
    settings: HelpdeskSettings,
    *,
    store: MongoStore,
    tickets: TicketRepository,
    rules: TicketRules,
    opening: Opening,
) -> MailReader | None:
    """The mailbox reader when the mail channel is configured (HELPDESK_MAIL_IMAP_HOST)."""
    if not settings.mail_enabled:
        return None
    intake = MailIntake(
        store=store,
        tickets=tickets,
        rules=rules,
        opening=opening,
        log=MailIntakeLog(store),
        policy=settings.mail_intake_policy(),
        limits=MailLimits(max_message_bytes=settings.mail_max_message_bytes),
    )
    return MailReader(
        mailbox=ImapMailbox(settings.imap_config()),
        intake=intake,
        max_attempts=settings.mail_max_intake_attempts,
    )


def mail_replies(
    settings: HelpdeskSettings, *, store: MongoStore, tickets: TicketRepository, rules: TicketRules
) -> MailReplies:
    return MailReplies(
        store=store,
        tickets=tickets,
        rules=rules,
        outbox=MailOutbox(store),
        identity=settings.mail_identity(),
        smtp=settings.smtp_config(),
        submit=submit,
        instance_id=settings.instance_id,
    )


async def start_mail(
    settings: HelpdeskSettings,
    *,
    store: MongoStore,
    tickets: TicketRepository,
    rules: TicketRules,
    opening: Opening,
    jobs: Periodic,
) -> MailReader | None:
    """Start the mail channel when configured: the reader, and the replies' job after taking
    back what this INSTANCE_ID's previous process held (once, before the first round)."""
    reader = mail_intake(settings, store=store, tickets=tickets, rules=rules, opening=opening)
    if reader is None:
        return None
    reader.start()
    replies = mail_replies(settings, store=store, tickets=tickets, rules=rules)
    await replies.take_back_held()
    jobs.every(settings.mail_send_interval_seconds, "mail-replies", replies.send_due)
    return reader


def create_app(settings: HelpdeskSettings | None = None) -> FastAPI:
    settings = settings or HelpdeskSettings()
    settings.check_startup()
    initialise_metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with platform_runtime(
            service=SERVICE,
            settings=settings,
            indexes=[
                *TicketRepository.indexes(),
                *ContextRepository.indexes(
                    conversation_retention=timedelta(days=settings.context_retention_days)
                ),
                *ProgrammeProjection.indexes(),
                CannedResponseRepository.indexes(),
                PresenceRepository.indexes(),
                SafetyReviewRepository.indexes(
                    retention=timedelta(days=settings.safety_review_retention_days)
                ),
                *StaffAccounts.indexes(),
                StaffAuth.indexes(),
                AuditLog.indexes(retention=timedelta(days=settings.audit_retention_days)),
                MailIntakeLog.indexes(retention=timedelta(days=settings.ticket_retention_days)),
                MailOutbox.indexes(retention=timedelta(days=settings.ticket_retention_days)),
                AttachmentStore.indexes(),
            ],
        ) as runtime:
            store = runtime.store
            tickets = TicketRepository(store)
            programme = ProgrammeProjection(store)
            context = ContextRepository(store, programme=programme)
            canned = CannedResponseRepository(store)
            accounts = StaffAccounts(
                store,
                max_failures=settings.login_max_failures,
                lockout=timedelta(minutes=settings.login_lockout_minutes),
                max_failures_per_address=settings.login_max_failures_per_address,
            )
            for username, password, display, roles in parse_demo_accounts(settings.demo_accounts):
                await accounts.ensure(
                    username=username, password=password, display_name=display, roles=roles
                )
            await canned.ensure_defaults(texts.DEFAULT_CANNED, at=utcnow())
            rules = TicketRules(
                policy=settings.sla_policy(),
                reopen_window=timedelta(hours=settings.reopen_window_hours),
                retention=timedelta(days=settings.ticket_retention_days),
            )
            opening = Opening(store=store, tickets=tickets, rules=rules)
            senior = SeniorWork(store=store, tickets=tickets, rules=rules, opening=opening)
            closing = ResolvedClosing(store=store, tickets=tickets, rules=rules)
            broadcaster = Broadcaster(ChangeFeed(store), summarise=live_summary)
            broadcaster.start()
            checker = SlaCheck(store=store, tickets=tickets)
            jobs = Periodic()
            jobs.every(settings.sla_check_interval_seconds, "sla-check", checker.check)
            jobs.every(60.0, "close-resolved", closing.close_expired)
            jobs.every(5.0, "backlog-metrics", lambda: refresh_backlog_metrics(tickets))
            lending = LendingContacts(
                base_url=settings.lending_url,
                secret=settings.lending_contact_secret,
                timeout_seconds=settings.lending_timeout_seconds,
            )
            daichan = DaichanNames(
                base_url=settings.ai_chat_url,
                secret=settings.preferred_name_secret,
                timeout_seconds=settings.ai_chat_timeout_seconds,
            )
            mail_reader = await start_mail(
                settings, store=store, tickets=tickets, rules=rules, opening=opening, jobs=jobs
            )
            app.state.helpdesk = Helpdesk(
                settings=settings,
                staff=StaffWork(store=store, tickets=tickets, rules=rules),
                opening=opening,
                tickets=tickets,
                context=context,
                canned=canned,
                presence=PresenceRepository(store),
                reviews=SafetyReviewRepository(store),
                accounts=accounts,
                auth=StaffAuth(
                    store,
                    service=SERVICE,
                    secret=settings.session_secret,
                    secure_cookies=settings.secure_cookies,
                    session_ttl=timedelta(hours=settings.session_hours),
                ),
                audit=AuditLog(store),
                broadcaster=broadcaster,
                lending=lending,
                daichan=daichan,
            )
            # One filing for both topics: a senior's message and Dai-chan's answers share writes.
            filing = ConversationFiling(context)
            routes = consumer_routes(
                RequestHandlers(opening=opening),
                InboundHandlers(senior=senior, filing=filing),
                ContextHandlers(filing=filing),
                ProgrammeHandlers(projection=programme, also_erase=[context]),
                DeliveryHandlers(senior=senior),
            )
            try:
                async with runtime.serving(app, routes):
                    yield
            finally:
                app.state.helpdesk = None
                await jobs.stop()
                if mail_reader is not None:
                    await mail_reader.stop()
                await broadcaster.stop()
                await lending.close()
                await daichan.close()

    app = create_service_app(
        service=SERVICE,
        title="helpdesk",
        description="The helpdesk's tickets, the staff queue (/staff/) and its API.",
        lifespan=lifespan,
        home="/staff/",
        routers=[
            auth_api.router,
            auth_api.sso_router,
            tickets_api.router,
            attachments_api.router,
            senior_api.router,
            canned_api.router,
            safety_reviews_api.router,
            pages.router,
        ],
    )

    @app.exception_handler(TicketError)
    async def ticket_error(_request: Request, exc: TicketError) -> JSONResponse:
        REJECTED_INPUT.labels("helpdesk.tickets", type(exc).__name__).inc()
        return JSONResponse({"message": exc.message, **exc.details}, status_code=exc.status_code)

    @app.exception_handler(InvalidTransition)
    async def invalid_transition(_request: Request, exc: InvalidTransition) -> JSONResponse:
        REJECTED_INPUT.labels("helpdesk.tickets", "invalid_transition").inc()
        return JSONResponse({"message": str(exc), "status": exc.current.value}, status_code=409)

    return app
