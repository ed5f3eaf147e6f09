"""What Dai-chan decided to do about one inbound event, before anything is written.

Deciding (reading state, calling the model) happens outside any transaction; `Outcome` carries
the decision to the one transaction that records it, so a crash in between changes nothing and
the redelivered event is decided afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from uuid import UUID

from services.ai_chat.domain.seniors import SeniorChanges, Turn
from services.common.events.contracts.helpdesk import Priority, RequestReason
from services.common.events.contracts.line import Action, SendPriority, TextMessage
from services.common.safety import Detection

Via = Literal["text", "voice", "button"]


@dataclass(frozen=True)
class Inbound:
    """Something a senior said, spoke or tapped, as Dai-chan sees it."""

    event_id: UUID
    user_id: str
    sent_at: datetime
    via: Via
    text: str | None = None
    # line_gateway stamped the event: a person at the helpdesk has this conversation.
    human_mode: bool = False
    # line_gateway stamped the event with the participant the sender's LINE is linked to (None:
    # not linked). The gateway owns the link; ai_chat keeps no copy of it.
    participant_id: str | None = None
    # Messages, taps and voice carry the stamp; follows do not, and leave alone the participant
    # recorded for the friendly call (`Senior.participant_id`).
    stamped: bool = False
    reply_token: str | None = None
    reply_token_expires_at: datetime | None = None


@dataclass(frozen=True)
class HelpRequest:
    reason: RequestReason
    priority: Priority
    summary: str
    handover: bool = True


@dataclass
class Outcome:
    messages: list[TextMessage] = field(default_factory=list)
    priority: SendPriority = SendPriority.CONVERSATION
    purpose: str = "ai_chat.reply"
    responder: str = "fixed"  # openai, offline, fallback, fixed
    kind: str = "chat"
    help: HelpRequest | None = None
    turns: list[Turn] = field(default_factory=list)
    changes: SeniorChanges = field(default_factory=SeniorChanges)
    # Sent even when a person took the conversation while this was being decided.
    safety: bool = False
    # Why nothing is said (silence is a decision too, counted by reason).
    skipped: str | None = None
    # What the model's triage found unsure beside this answer (a check is added for it).
    triage: Detection | None = None
    # The acknowledgement of a waiting period (`Human.waiting_since`): sent while a person has
    # the conversation, but only if that wait was not acknowledged meanwhile.
    acknowledges: datetime | None = None

    @classmethod
    def silence(cls, reason: str, changes: SeniorChanges | None = None) -> Outcome:
        return cls(skipped=reason, changes=changes or SeniorChanges())


def say(text: str, choices: tuple[Action, ...] = ()) -> TextMessage:
    return TextMessage(text=text, quick_replies=list(choices))
