"""The gateway's periodic jobs: read LINE's quota, count the account's users for /metrics, and
erase personal data past its retention.

All are safe on every instance at once (reading twice costs nothing; erasing is an idempotent
update), so they need no lease.
"""

from __future__ import annotations

from datetime import timedelta

from services.common.logging import get_logger
from services.common.periodic import Periodic
from services.common.time import utcnow
from services.line_gateway.clients.messaging import LineApiError, LineMessaging
from services.line_gateway.metrics import PERSONAL_DATA_ERASED, USERS
from services.line_gateway.store import LineUserRepository
from services.line_gateway.usecases.budget import BudgetKeeper

log = get_logger(__name__)


async def erase_expired_personal_data(*, users: LineUserRepository, retention: timedelta) -> int:
    """Erase names and pictures of users who blocked the account longer ago than `retention`."""
    erased = await users.erase_personal_data(blocked_before=utcnow() - retention)
    if erased:
        PERSONAL_DATA_ERASED.inc(erased)
        log.info("personal data of blocked users erased", users=erased)
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
        retention: timedelta,
    ) -> None:
        self._messaging = messaging
        self._budget = budget
        self._users = users
        self._quota_every = quota_every
        self._users_metrics_every = users_metrics_every
        self._maintenance_every = maintenance_every
        self._retention = retention
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
        await erase_expired_personal_data(users=self._users, retention=self._retention)
