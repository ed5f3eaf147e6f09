"""What Dai-chan keeps about a senior (one per LINE user), as the dialogue sees it.

- `memory`: the last few turns verbatim, the rolling summary and the facts the senior chose to
  share (and the code of the area they live in); all of it is erased on 「忘れて」 and expires
  after the retention period without conversation. Older turns are not kept anywhere: the summary is what remains of them;
- `human`: whether a person at the helpdesk has the conversation (Dai-chan then stays silent,
  but for one acknowledgement per wait for a person it asked for);
- `participant_id`: the participant line_gateway stamped on the senior's latest message (the
  gateway owns the link; this is no copy kept in step with it): only the friendly call, which is
  about the silence since that message and has no event of its own, reads it. Everything an
  event answers takes the participant from the event (`Inbound.participant_id`);
- `usage`: model tokens used today (the daily budget);
- `checkin`: the daily greeting the senior opted into, and when it is next due;
- `pending`: a question waiting for an answer (「忘れて」 → はい/いいえ, where they live).

`SeniorChanges` is what one handled event changes; the store writes it field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.time import as_utc


class _Doc(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Turn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    role: Literal["senior", "daichan"]
    text: str
    at: datetime
    # Which reviewed persona prompt wrote Dai-chan's words (None for fixed texts and the senior).
    persona_version: str | None = None
    # How the senior said it: typed, spoken (transcribed) or tapped.
    via: Literal["text", "voice", "button"] | None = None


class Memory(_Doc):
    turns: list[Turn] = Field(default_factory=list)
    summary: str = ""
    preferred_name: str | None = None
    interests: list[str] = Field(default_factory=list)
    # The JIS code of the area the senior said they live in (for its sessions); never the address.
    area_code: str | None = None
    turns_since_summary: int = 0
    updated_at: datetime | None = None

    def is_empty(self) -> bool:
        return not (
            self.turns or self.summary or self.preferred_name or self.interests or self.area_code
        )


class Human(_Doc):
    # Dai-chan asked for a person and waits for a ticket to take the conversation.
    pending_since: datetime | None = None
    reason: str | None = None
    # Tickets that hold the conversation now (helpdesk.conversation.handed_over, not yet back).
    tickets: list[str] = Field(default_factory=list)
    # When Dai-chan last asked for a person, kept through the hand-over until a staff member
    # answers or the hand-back: the waiting period that the senior's further messages get one
    # acknowledgement in.
    waiting_since: datetime | None = None
    # The waiting period (its `waiting_since`) whose acknowledgement was sent.
    acknowledged: datetime | None = None

    def holds(self, *, now: datetime, pending_timeout: timedelta) -> bool:
        if self.tickets:
            return True
        return self.pending_since is not None and now - as_utc(self.pending_since) < pending_timeout

    def unacknowledged_wait(self) -> datetime | None:
        """The waiting period still owed its one acknowledgement, if any."""
        if self.waiting_since is None:
            return None
        if self.acknowledged is not None and as_utc(self.acknowledged) == as_utc(
            self.waiting_since
        ):
            return None
        return self.waiting_since

    def wait_answered(self, at: datetime) -> datetime | None:
        """The wait that a staff reply sent to the senior at `at` ends, if any: a person is
        talking, so no further "please wait" is owed. Only a wait that began by then: a reply
        redelivered or replayed after Dai-chan asked for a person again leaves that newer wait
        alone."""
        if self.waiting_since is None or as_utc(self.waiting_since) > as_utc(at):
            return None
        return self.waiting_since

    def acknowledged_wait(self, wait: datetime) -> bool:
        return self.acknowledged is not None and as_utc(self.acknowledged) == as_utc(wait)


class Usage(_Doc):
    day: str
    tokens: int = 0


class Checkin(_Doc):
    enabled: bool = False
    time: str = "08:00"  # HH:MM, Japan time
    next_at: datetime | None = None
    last_sent_on: str | None = None


class Pending(_Doc):
    action: str
    until: datetime
    # For a safety check: the route Dai-chan was unsure about.
    route: str | None = None


class Senior(_Doc):
    user_id: str
    following: bool | None = None
    participant_id: str | None = None
    memory: Memory = Field(default_factory=Memory)
    human: Human = Field(default_factory=Human)
    usage: Usage | None = None
    checkin: Checkin = Field(default_factory=Checkin)
    pending: Pending | None = None
    last_message_at: datetime | None = None
    inactivity_flagged_at: datetime | None = None

    def tokens_used(self, day: str) -> int:
        return self.usage.tokens if self.usage and self.usage.day == day else 0


@dataclass(frozen=True)
class Stamp:
    """The participant a message was stamped with (None: the sender was not linked)."""

    participant_id: str | None


@dataclass
class SeniorChanges:
    """What one handled event changes in a senior's document (None leaves a field alone)."""

    last_message_at: datetime | None = None
    # Memory fields other than the turns (those are appended with `turns`).
    memory: Memory | None = None
    erase_memory: bool = False
    turns: list[Turn] = field(default_factory=list)
    keep_turns: int = 8
    usage: Usage | None = None
    pending: Pending | None = None
    clear_pending: bool = False
    handover_requested_at: datetime | None = None
    handover_reason: str | None = None
    # The waiting period (`Human.waiting_since`) this event acknowledged.
    acknowledged_wait: datetime | None = None
    checkin: Checkin | None = None
    following: bool | None = None
    # The stamp of the event handled (messages, taps, voice; None for follows: left alone).
    participant: Stamp | None = None
    extra: dict[str, Any] = field(default_factory=dict)
