"""What every endpoint needs: the service's parts, and who is calling with which role.

Roles: `operator` does the day-to-day work (applications, devices, loans, sessions, link codes)
and sees participants' personal data (audited); `supervisor` can do all of that and also draws
lotteries, lends with an exception, erases, exports personal data and runs the scheduler;
`viewer` sees aggregates only (reports, sessions without names), never personal data.
Dependencies are module-level functions that read the app's state (closures inside a factory
cannot be resolved by FastAPI under postponed annotations).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.common.auth import AuditLog, StaffAccounts, StaffClaims
from services.common.auth.web import StaffAuth
from services.tablet_lending.domain.clock import Clock
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


def get_lending(request: Request) -> Lending:
    lending: Lending = request.app.state.lending
    return lending


async def any_staff(request: Request) -> StaffClaims:
    return await get_lending(request).auth.require(*STAFF_ROLES)(request)


async def operator(request: Request) -> StaffClaims:
    return await get_lending(request).auth.require(*OPERATOR_ROLES)(request)


async def supervisor(request: Request) -> StaffClaims:
    return await get_lending(request).auth.require(*SUPERVISOR_ROLES)(request)


LendingDep = Annotated[Lending, Depends(get_lending)]
Staff = Annotated[StaffClaims, Depends(any_staff)]
Operator = Annotated[StaffClaims, Depends(operator)]
Supervisor = Annotated[StaffClaims, Depends(supervisor)]


def is_supervisor(staff: StaffClaims) -> bool:
    return staff.has_any(*SUPERVISOR_ROLES)
