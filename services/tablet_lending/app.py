"""tablet_lending's process: the admin API, `line.inbound` consumers and the scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.common.auth import AuditLog, StaffAccounts
from services.common.auth.accounts import parse_demo_accounts
from services.common.auth.web import StaffAuth
from services.common.events.contracts.line import (
    AccountLinked,
    AccountUnlinked,
    PostbackReceived,
)
from services.common.kafka.handling import route
from services.common.kafka.topics import LINE_INBOUND
from services.common.logging import get_logger
from services.common.metrics import REJECTED_INPUT
from services.common.runtime import platform_runtime
from services.common.settings import Environment
from services.common.web import create_service_app
from services.tablet_lending.api import (
    admin,
    auth,
    console,
    contact,
    devices,
    imports,
    loans,
    participants,
    reports,
    sessions,
)
from services.tablet_lending.api import cohorts as cohorts_api
from services.tablet_lending.api.deps import STAFF_ROLES, AuthRefused, Lending
from services.tablet_lending.consumers.line_inbound import LineInboundHandlers
from services.tablet_lending.domain.clock import Clock
from services.tablet_lending.domain.cohorts import seed_cohorts
from services.tablet_lending.domain.errors import LendingError
from services.tablet_lending.scheduled import Scheduler
from services.tablet_lending.settings import TabletLendingSettings
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases.cohorts import save_cohort
from services.tablet_lending.usecases.demo import seed_demo

SERVICE = "tablet_lending"
log = get_logger(__name__)


async def ensure_demo_accounts(accounts: StaffAccounts, spec: str) -> None:
    for username, password, display_name, roles in parse_demo_accounts(spec):
        unknown = set(roles) - set(STAFF_ROLES)
        if unknown:
            raise ValueError(f"demo account {username!r} has unknown roles {sorted(unknown)}")
        await accounts.ensure(
            username=username, password=password, display_name=display_name, roles=roles
        )


async def refuse(request: Request, exc: Exception) -> JSONResponse:
    """A domain refusal: English `message` for the API, `message_ja` for staff screens."""
    assert isinstance(exc, LendingError)
    where = str(getattr(request.scope.get("route"), "path", "unmatched"))
    headers = None
    if isinstance(exc, AuthRefused):
        headers = exc.headers  # counted where the sign-in or role check refused it
    else:
        REJECTED_INPUT.labels(where, exc.reason).inc()
    log.info("request refused", route=where, reason=exc.reason)
    return JSONResponse(
        {"message": exc.message, "reason": exc.reason, "message_ja": exc.message_ja},
        status_code=exc.status_code,
        headers=headers,
    )


def create_app(settings: TabletLendingSettings | None = None) -> FastAPI:
    settings = settings or TabletLendingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with platform_runtime(
            service=SERVICE,
            settings=settings,
            indexes=[
                *LendingDb.indexes(),
                *StaffAccounts.indexes(),
                StaffAuth.indexes(),
                AuditLog.indexes(retention=timedelta(days=settings.audit_retention_days)),
            ],
        ) as runtime:
            db = LendingDb.on(runtime.store)
            app.state.cohorts = db.cohorts
            clock = Clock(start=settings.clock_start)
            if clock.shifted:
                log.warning(
                    "the service clock is shifted (tests only)", now=clock.now().isoformat()
                )
            audit = AuditLog(runtime.store)
            accounts = StaffAccounts(
                runtime.store,
                max_failures=settings.login_max_failures,
                lockout=timedelta(minutes=settings.login_lockout_minutes),
                max_failures_per_address=settings.login_max_failures_per_address,
            )
            await ensure_demo_accounts(accounts, settings.demo_accounts)
            if settings.seed_cohorts:
                for cohort in seed_cohorts():
                    if await save_cohort(db, cohort=cohort):
                        log.info("seeded cohort", cohort_id=cohort.cohort_id)
            if settings.demo_data:
                await seed_demo(db=db, audit=audit, clock=clock, settings=settings)
            scheduler = Scheduler(db=db, audit=audit, clock=clock, settings=settings)
            app.state.lending = Lending(
                db=db,
                audit=audit,
                auth=StaffAuth(
                    runtime.store,
                    service=SERVICE,
                    secret=settings.token_secret,
                    secure_cookies=settings.environment is Environment.PRODUCTION,
                    session_ttl=timedelta(minutes=settings.token_ttl_minutes),
                    # Its own cookie names: the helpdesk's page may share the host.
                    cookie_prefix="sslp_lending",
                ),
                accounts=accounts,
                clock=clock,
                settings=settings,
                scheduler=scheduler,
            )
            handlers = LineInboundHandlers(db=db, clock=clock)
            async with runtime.serving(
                app,
                [
                    route(LINE_INBOUND, PostbackReceived, decide=handlers.on_postback_received),
                    route(LINE_INBOUND, AccountLinked, apply=handlers.on_account_linked),
                    route(LINE_INBOUND, AccountUnlinked, apply=handlers.on_account_unlinked),
                ],
            ):
                scheduler.start()
                try:
                    yield
                finally:
                    await scheduler.stop()

    app = create_service_app(
        service=SERVICE,
        title="tablet_lending",
        description=(
            "The programme office's system of record: cohorts, applicants and participants, "
            "tablets, six-month loans, sessions, reminders. Sign in with `POST /auth/token` and "
            "send `Authorization: Bearer <token>`. Refusals answer "
            '`{"message", "reason", "message_ja"}`. The programme office\'s Japanese console '
            "is at `/console/`."
        ),
        lifespan=lifespan,
        home="/console/",
        routers=[
            console.router,
            auth.router,
            cohorts_api.router,
            participants.router,
            contact.router,
            imports.router,
            devices.router,
            loans.router,
            sessions.router,
            reports.router,
            admin.router,
        ],
    )
    app.add_exception_handler(LendingError, refuse)
    return app
