"""The check-in job: every round, send the due greetings, flag quiet seniors, expire memories.

Each due greeting is claimed in MongoDB (the next time moves on only if it still is the one this
instance read) in the same transaction that puts the send in the outbox. So a greeting goes out
at most once per day, across restarts and instances, and a crash between the claim and the relay
loses nothing. The friendly call is claimed the same way (the flag moves only if the senior's
last message is still the one read). What to send is decided in `domain/checkins.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from services.ai_chat.domain.checkins import (
    DueCheckin,
    checkin_command_id,
    due_checkin,
    friendly_call,
    friendly_call_id,
    quiet_days,
)
from services.ai_chat.domain.seniors import Senior
from services.ai_chat.metrics import CHECKINS, INACTIVITY_FLAGS, MEMORY_EVENTS
from services.ai_chat.store.seniors import SeniorRepository
from services.common.events.envelope import new_event
from services.common.kafka.topics import HELPDESK_REQUESTS, LINE_OUTBOUND
from services.common.logging import get_logger, user_ref
from services.common.store import MongoStore, Tx
from services.common.time import utcnow
from services.common.usecases import commit

log = get_logger(__name__)

SOURCE = "ai_chat"
BATCH = 200


@dataclass(frozen=True)
class CheckinSettings:
    poll_seconds: float = 30.0
    max_lateness: timedelta = timedelta(hours=2)
    inactivity_days: int = 7  # 0: never flag
    memory_retention: timedelta = timedelta(days=90)


@dataclass(frozen=True)
class TickResult:
    sent: int = 0
    skipped: int = 0
    flagged: int = 0


@dataclass
class _Tally:
    """What one round committed, counted after each commit."""

    outcomes: list[str] = field(default_factory=list)

    def result(self) -> TickResult:
        return TickResult(
            sent=self.outcomes.count("sent"),
            skipped=sum(outcome.startswith("skipped") for outcome in self.outcomes),
            flagged=self.outcomes.count("flagged"),
        )


class CheckinScheduler:
    def __init__(
        self, *, store: MongoStore, seniors: SeniorRepository, settings: CheckinSettings
    ) -> None:
        self._store = store
        self._seniors = seniors
        self._settings = settings
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="checkins")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick(now=utcnow())
            except Exception:
                # MongoDB unreachable or similar: nothing was claimed, the next round retries.
                log.exception("check-in round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._settings.poll_seconds)

    async def tick(self, *, now: datetime) -> TickResult:
        tally = _Tally()
        for senior in await self._seniors.due_checkins(now=now, limit=BATCH):
            due = due_checkin(senior, now=now, max_lateness=self._settings.max_lateness)
            await commit(self._store, partial(self._claim, due=due, tally=tally))
        if self._settings.inactivity_days > 0:
            silent_since = now - timedelta(days=self._settings.inactivity_days)
            for senior in await self._seniors.quiet_seniors(silent_since=silent_since, limit=BATCH):
                await commit(self._store, partial(self._flag, senior=senior, now=now, tally=tally))
        expired = await self._seniors.expire_memories(
            older_than=now - self._settings.memory_retention
        )
        if expired:
            MEMORY_EVENTS.labels("expired").inc(expired)
        return tally.result()

    async def _claim(self, tx: Tx, *, due: DueCheckin, tally: _Tally) -> None:
        # Another instance that moved this check-in on first has it: nothing happens here.
        claimed = await self._seniors.advance_checkin(
            tx,
            user_id=due.user_id,
            expected_next_at=due.expected_next_at,
            next_at=due.next_at,
            sent_on=due.day if due.greeting is not None else None,
        )
        if not claimed:
            return
        if due.greeting is not None:
            await tx.emit(
                topic=LINE_OUTBOUND,
                key=due.user_id,
                event=new_event(
                    due.greeting,
                    source=SOURCE,
                    event_id=checkin_command_id(due.user_id, due.day),
                ),
            )
        tx.after_commit(partial(_checked_in, due, tally))

    async def _flag(self, tx: Tx, *, senior: Senior, now: datetime, tally: _Tally) -> None:
        # Flagged already since the senior's last message (here or elsewhere): nothing happens.
        assert senior.last_message_at is not None
        flagged = await self._seniors.flag_inactive(
            tx, user_id=senior.user_id, last_message_at=senior.last_message_at, at=now
        )
        if not flagged:
            return
        request = friendly_call(senior, now=now)
        await tx.emit(
            topic=HELPDESK_REQUESTS,
            key=senior.user_id,
            event=new_event(request, source=SOURCE, event_id=friendly_call_id(request)),
        )
        tx.after_commit(partial(_flagged, senior, quiet_days(senior, now=now), tally))


def _checked_in(due: DueCheckin, tally: _Tally) -> None:
    CHECKINS.labels(due.outcome).inc()
    log.info("check-in", outcome=due.outcome, user=user_ref(due.user_id))
    tally.outcomes.append(due.outcome)


def _flagged(senior: Senior, days: int, tally: _Tally) -> None:
    INACTIVITY_FLAGS.inc()
    log.info("quiet senior flagged for a friendly call", user=user_ref(senior.user_id), days=days)
    tally.outcomes.append("flagged")
