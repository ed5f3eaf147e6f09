"""Daily check-ins the senior opted into, and a friendly call when they go quiet: the decisions.

A due greeting is sent unless the senior unfollowed, it is hours late (ai_chat was down at that
time: skipped rather than sent at an odd hour) or today's already went; either way the next
check-in moves on. The send's id is made from the user and the day, the friendly call's from the
user and their last message, so neither can go out twice. The scheduler that claims and commits
them is `usecases/checkins.py`.

Greetings are `low` priority: line_gateway holds them when the month's push budget is spent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal
from uuid import UUID, uuid5

from services.ai_chat.domain import templates
from services.ai_chat.domain.seniors import Senior
from services.common.events.contracts.helpdesk import HelpRequested, Priority, RequestReason
from services.common.events.contracts.line import SendPriority, SendRequested, TextMessage
from services.common.time import JST, as_utc
from services.common.wording import jst_date

CHECKIN_NAMESPACE = UUID("5b0f3a57-2c1e-4f0a-9d7e-8e6a1c4b2d93")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


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


CheckinOutcome = Literal["sent", "skipped_unfollowed", "skipped_late"]


@dataclass(frozen=True)
class DueCheckin:
    """What to do about one due check-in: move `expected_next_at` on to `next_at`, and send?"""

    user_id: str
    outcome: CheckinOutcome
    day: str
    expected_next_at: datetime
    next_at: datetime
    greeting: SendRequested | None


def due_checkin(senior: Senior, *, now: datetime, max_lateness: timedelta) -> DueCheckin:
    checkin = senior.checkin
    assert checkin.next_at is not None
    due = as_utc(checkin.next_at)
    day = jst_date(due).isoformat()
    next_at = next_checkin_at(checkin.time, after=max(now, due)) or due + timedelta(days=1)
    outcome: CheckinOutcome
    if senior.following is False:
        outcome = "skipped_unfollowed"
    elif now - due > max_lateness or checkin.last_sent_on == day:
        outcome = "skipped_late"
    else:
        outcome = "sent"
    greeting = None
    if outcome == "sent":
        greeting = SendRequested(
            user_id=senior.user_id,
            messages=[TextMessage(text=greeting_text(senior, due))],
            priority=SendPriority.LOW,
            purpose="ai_chat.checkin",
        )
    return DueCheckin(
        user_id=senior.user_id,
        outcome=outcome,
        day=day,
        expected_next_at=checkin.next_at,
        next_at=next_at,
        greeting=greeting,
    )


def greeting_text(senior: Senior, due: datetime) -> str:
    text = templates.CHECKIN_GREETINGS[jst_date(due).toordinal() % len(templates.CHECKIN_GREETINGS)]
    name = senior.memory.preferred_name
    return f"{name}、{text}" if name else text


def friendly_call(senior: Senior, *, now: datetime) -> HelpRequested:
    """The helpdesk request to call a senior who has gone quiet (one per last message)."""
    last = senior.last_message_at
    assert last is not None
    return HelpRequested(
        request_id=f"ai_chat:quiet:{senior.user_id}:{as_utc(last).isoformat()}",
        line_user_id=senior.user_id,
        participant_id=senior.participant_id,
        reason=RequestReason.OTHER,
        # Staff can call a linked participant (the lending programme has the number).
        priority=Priority.NORMAL if senior.participant_id else Priority.LOW,
        summary=templates.INACTIVITY_SUMMARY.format(days=quiet_days(senior, now=now)),
        handover=False,
    )


def quiet_days(senior: Senior, *, now: datetime) -> int:
    assert senior.last_message_at is not None
    return (now - as_utc(senior.last_message_at)).days


def friendly_call_id(request: HelpRequested) -> UUID:
    return uuid5(CHECKIN_NAMESPACE, request.request_id)
