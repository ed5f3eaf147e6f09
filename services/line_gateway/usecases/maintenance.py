"""The gateway's periodic jobs: read LINE's quota, count the account's users for /metrics, and
erase the LINE profiles (name, picture, language) that earlier versions fetched and stored.

All are safe on every instance at once (reading twice costs nothing; erasing is an idempotent
update), so they need no lease.
"""

from __future__ import annotations

from services.common.logging import get_logger
from services.common.periodic import Periodic
from services.line_gateway.clients.messaging import LineApiError, LineMessaging
from services.line_gateway.metrics import PERSONAL_DATA_ERASED, USERS
from services.line_gateway.store import LineUserRepository
from services.line_gateway.usecases.budget import BudgetKeeper

log = get_logger(__name__)


async def erase_stored_profiles(*, users: LineUserRepository) -> int:
    """Erase every LINE profile still stored: nothing uses them, so none is kept (APPI's purpose
    limitation). Finds nothing once a database upgraded from an earlier version is clean."""
    erased = await users.erase_profiles()
    if erased:
        PERSONAL_DATA_ERASED.inc(erased)
        log.info("stored LINE profiles erased", users=erased)
    return erased


class PeriodicJobs:
    def __init__(
        self,
        *,
        messaging: LineMessaging,
        budget: BudgetKeeper,
        users: LineUserRepository,
        quota_every: float,
        users_metrics_every: float,
        maintenance_every: float,
    ) -> None:
        self._messaging = messaging
        self._budget = budget
        self._users = users
        self._quota_every = quota_every
        self._users_metrics_every = users_metrics_every
        self._maintenance_every = maintenance_every
        self._periodic = Periodic()

    def start(self) -> None:
        self._periodic.every(self._quota_every, "quota", self._refresh_quota)
        self._periodic.every(self._users_metrics_every, "users-metrics", self.count_users)
        self._periodic.every(self._maintenance_every, "personal-data", self._erase)

    async def stop(self) -> None:
        await self._periodic.stop()

    async def _refresh_quota(self) -> None:
        try:
            await self._budget.refresh_quota(self._messaging)
        except LineApiError as error:
            # The budget still works from our own counts until LINE answers again.
            log.warning("could not read LINE's quota", status=error.status)

    async def count_users(self) -> None:
        for state, count in (await self._users.count_by_state()).items():
            USERS.labels(state).set(count)

    async def _erase(self) -> None:
        await erase_stored_profiles(users=self._users)
