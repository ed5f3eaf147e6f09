"""Daily check-ins the senior opted into, and a friendly call when they go quiet.

Each due greeting is claimed in MongoDB (the next time moves on only if it still is the one this
instance read) in the same transaction that puts the send in the outbox, under an id made from
the user and the day. So a greeting goes out at most once per day, across restarts and
instances, and a crash between the claim and the relay loses nothing. A greeting that is hours
late (ai_chat was down at that time) is skipped rather than sent at an odd hour.

Greetings are `low` priority: line_gateway holds them when the month's push budget is spent.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID, uuid5

from services.ai_chat.domain import templates
from services.ai_chat.domain.dates import jst_date
from services.ai_chat.metrics import CHECKINS, INACTIVITY_FLAGS, MEMORY_EVENTS
from services.ai_chat.store.seniors import Senior, SeniorRepository
from services.common.events.contracts.helpdesk import HelpRequested, Priority, RequestReason
from services.common.events.contracts.line import SendPriority, SendRequested, TextMessage
from services.common.events.envelope import new_event
from services.common.kafka.topics import HELPDESK_REQUESTS, LINE_OUTBOUND
from services.common.logging import get_logger, user_ref
from services.common.store import MongoStore, Tx
from services.common.time import JST, as_utc, utcnow

log = get_logger(__name__)

SOURCE = "ai_chat"
CHECKIN_NAMESPACE = UUID("5b0f3a57-2c1e-4f0a-9d7e-8e6a1c4b2d93")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
BATCH = 200


def next_checkin_at(hhmm: str, *, after: datetime) -> datetime | None:
    """The next moment at HH:MM Japan time strictly after `after`; None for a malformed time."""
    match = _HHMM.match(hhmm)
    if match is None:
        return None
    at = time(int(match.group(1)), int(match.group(2)), tzinfo=JST)
    local = after.astimezone(JST)
    candidate = datetime.combine(local.date(), at)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(after.tzinfo)


def checkin_command_id(user_id: str, day: str) -> UUID:
    return uuid5(CHECKIN_NAMESPACE, f"checkin:{user_id}:{day}")


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
        sent = skipped = 0
        for senior in await self._seniors.due_checkins(now=now, limit=BATCH):
            outcome = await self._check_in(senior, now=now)
            if outcome == "sent":
                sent += 1
            elif outcome.startswith("skipped"):
                skipped += 1
        flagged = 0
        if self._settings.inactivity_days > 0:
            silent_since = now - timedelta(days=self._settings.inactivity_days)
            for senior in await self._seniors.quiet_seniors(silent_since=silent_since, limit=BATCH):
                flagged += await self._flag_quiet(senior, now=now)
        expired = await self._seniors.expire_memories(
            older_than=now - self._settings.memory_retention
        )
        if expired:
            MEMORY_EVENTS.labels("expired").inc(expired)
        return TickResult(sent=sent, skipped=skipped, flagged=flagged)

    async def _check_in(self, senior: Senior, *, now: datetime) -> str:
        checkin = senior.checkin
        assert checkin.next_at is not None
        due = as_utc(checkin.next_at)
        day = jst_date(due).isoformat()
        next_at = next_checkin_at(checkin.time, after=max(now, due)) or due + timedelta(days=1)
        if senior.following is False:
            outcome = "skipped_unfollowed"
        elif now - due > self._settings.max_lateness or checkin.last_sent_on == day:
            outcome = "skipped_late"
        else:
            outcome = "sent"

        async def claim(tx: Tx) -> bool:
            claimed = await self._seniors.advance_checkin(
                tx,
                user_id=senior.user_id,
                expected_next_at=checkin.next_at,  # type: ignore[arg-type]
                next_at=next_at,
                sent_on=day if outcome == "sent" else None,
            )
            if claimed and outcome == "sent":
                await tx.emit(
                    topic=LINE_OUTBOUND,
                    key=senior.user_id,
                    event=new_event(
                        SendRequested(
                            user_id=senior.user_id,
                            messages=[TextMessage(text=_greeting(senior, due))],
                            priority=SendPriority.LOW,
                            purpose="ai_chat.checkin",
                        ),
                        source=SOURCE,
                        event_id=checkin_command_id(senior.user_id, day),
                    ),
                )
            return claimed

        if not await self._store.transaction(claim):
            return "lost_race"
        CHECKINS.labels(outcome).inc()
        log.info("check-in", outcome=outcome, user=user_ref(senior.user_id))
        return outcome

    async def _flag_quiet(self, senior: Senior, *, now: datetime) -> int:
        last = senior.last_message_at
        assert last is not None
        days = (now - as_utc(last)).days
        request = HelpRequested(
            request_id=f"ai_chat:quiet:{senior.user_id}:{as_utc(last).isoformat()}",
            line_user_id=senior.user_id,
            participant_id=senior.participant_id,
            reason=RequestReason.OTHER,
            # Staff can call a linked participant (the lending programme has the number).
            priority=Priority.NORMAL if senior.participant_id else Priority.LOW,
            summary=templates.INACTIVITY_SUMMARY.format(days=days),
            handover=False,
        )

        async def flag(tx: Tx) -> bool:
            flagged = await self._seniors.flag_inactive(
                tx, user_id=senior.user_id, last_message_at=last, at=now
            )
            if flagged:
                await tx.emit(
                    topic=HELPDESK_REQUESTS,
                    key=senior.user_id,
                    event=new_event(
                        request,
                        source=SOURCE,
                        event_id=uuid5(CHECKIN_NAMESPACE, request.request_id),
                    ),
                )
            return flagged

        if not await self._store.transaction(flag):
            return 0
        INACTIVITY_FLAGS.inc()
        log.info(
            "quiet senior flagged for a friendly call", user=user_ref(senior.user_id), days=days
        )
        return 1


def _greeting(senior: Senior, due: datetime) -> str:
    text = templates.CHECKIN_GREETINGS[jst_date(due).toordinal() % len(templates.CHECKIN_GREETINGS)]
    name = senior.memory.preferred_name
    return f"{name}、{text}" if name else text
