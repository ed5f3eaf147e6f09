"""What every endpoint needs: the service's parts, and who is calling with which role.

Roles: `operator` does the day-to-day work (applications, devices, loans, sessions, link codes)
and sees participants' personal data (audited); `supervisor` can do all of that and also draws
lotteries, lends with an exception, erases, exports personal data and runs the scheduler;
`viewer` sees aggregates only (reports, sessions without names), never personal data.
Dependencies are module-level functions that read the app's state (closures inside a factory
cannot be resolved by FastAPI under postponed annotations).

Sign-in and role refusals answer like every other refusal of this service,
`{"message", "reason", "message_ja"}`: English for API clients, Japanese for the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.common.auth import AuditLog, StaffAccounts, StaffClaims
from services.common.auth.web import StaffAuth, StaffRefused
from services.tablet_lending.domain.clock import Clock
from services.tablet_lending.domain.errors import LendingError
from services.tablet_lending.scheduled import Scheduler
from services.tablet_lending.settings import TabletLendingSettings
from services.tablet_lending.store import LendingDb

OPERATOR_ROLES = ("operator", "supervisor")
SUPERVISOR_ROLES = ("supervisor",)
STAFF_ROLES = ("viewer", "operator", "supervisor")


@dataclass(frozen=True)
class Lending:
    db: LendingDb
    audit: AuditLog
    auth: StaffAuth
    accounts: StaffAccounts
    clock: Clock
    settings: TabletLendingSettings
    scheduler: Scheduler


ROLE_NAMES_JA = {"viewer": "閲覧", "operator": "運用担当", "supervisor": "統括"}
SIGN_IN_REFUSALS_JA = {
    "missing_credentials": "ログインしてください。",
    "invalid_token": "ログインの有効期限が切れました。もう一度ログインしてください。",
    "ended_session": "ログアウトされています。もう一度ログインしてください。",
    "csrf": "画面を読み込み直してから、もう一度操作してください。",
}


class AuthRefused(LendingError):
    """A sign-in or role refusal; already counted in `sslp_rejected_input_total` where raised."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        message: str,
        message_ja: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(reason, message, message_ja)
        self.status_code = status_code
        self.headers = headers


def role_refusal_ja(roles: tuple[str, ...]) -> str:
    names = "または".join(f"「{ROLE_NAMES_JA.get(role, role)}」" for role in roles)
    return f"この操作には{names}の権限が必要です。"


def in_japanese_too(refused: StaffRefused) -> AuthRefused:
    if refused.reason == "forbidden_role":
        message_ja = role_refusal_ja(refused.roles)
    else:
        message_ja = SIGN_IN_REFUSALS_JA.get(refused.reason, "ログインしてください。")
    return AuthRefused(refused.status_code, refused.reason, str(refused.detail), message_ja)


async def _require(request: Request, roles: tuple[str, ...]) -> StaffClaims:
    try:
        return await get_lending(request).auth.require(*roles)(request)
    except StaffRefused as refused:
        raise in_japanese_too(refused) from refused


def get_lending(request: Request) -> Lending:
    lending: Lending = request.app.state.lending
    return lending


async def any_staff(request: Request) -> StaffClaims:
    return await _require(request, STAFF_ROLES)


async def operator(request: Request) -> StaffClaims:
    return await _require(request, OPERATOR_ROLES)


async def supervisor(request: Request) -> StaffClaims:
    return await _require(request, SUPERVISOR_ROLES)


LendingDep = Annotated[Lending, Depends(get_lending)]
Staff = Annotated[StaffClaims, Depends(any_staff)]
Operator = Annotated[StaffClaims, Depends(operator)]
Supervisor = Annotated[StaffClaims, Depends(supervisor)]


def is_supervisor(staff: StaffClaims) -> bool:
    return staff.has_any(*SUPERVISOR_ROLES)
