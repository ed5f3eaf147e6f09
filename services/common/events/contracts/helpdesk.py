"""Contracts on `helpdesk.requests` (asking for a person) and `helpdesk.events` (what staff did)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, Field

from services.common.events.envelope import Contract
from services.common.events.registry import contract


class RequestReason(StrEnum):
    PERSON_REQUESTED = "person_requested"
    EMERGENCY = "emergency"
    FRAUD_SUSPECTED = "fraud_suspected"
    SELF_HARM = "self_harm"
    DEVICE_ISSUE = "device_issue"
    LOAN_CALL_TASK = "loan_call_task"
    # Dai-chan was unsure whether a message needed a safety route: a person should look.
    SAFETY_REVIEW = "safety_review"
    OTHER = "other"


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


@contract
class HelpRequested(Contract):
    """Someone (Dai-chan, lending, the gateway) asks the helpdesk to look after a senior.

    `request_id` makes the request idempotent: the helpdesk opens at most one ticket per id.
    """

    event_type = "helpdesk.request.created"

    request_id: str = Field(min_length=1, max_length=128)
    line_user_id: str | None = None
    participant_id: str | None = None
    reason: RequestReason
    priority: Priority
    summary: str = Field(min_length=1, max_length=2000)
    # True when the senior's LINE conversation should go to a person until staff hand it back.
    handover: bool = False


@contract
class ConversationHandedOver(Contract):
    """Staff took a senior's LINE conversation: Dai-chan stays silent, messages join the ticket."""

    event_type = "helpdesk.conversation.handed_over"

    ticket_id: str
    line_user_id: str
    at: AwareDatetime


@contract
class ConversationHandedBack(Contract):
    """Staff handed the conversation back to Dai-chan (usually on resolving the ticket)."""

    event_type = "helpdesk.conversation.handed_back"

    ticket_id: str
    line_user_id: str
    at: AwareDatetime


@contract
class StaffReplied(Contract):
    """A staff member's reply went to the senior on LINE (no content: the text travels only in
    the send command). A person is talking now: Dai-chan's "please wait" for that wait is over.

    Keyed by the senior, like the hand-over events, so it stays in order with them.
    """

    event_type = "helpdesk.conversation.staff_replied"

    ticket_id: str
    line_user_id: str
    at: AwareDatetime


class TicketStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING_ON_SENIOR = "waiting_on_senior"
    RESOLVED = "resolved"
    CLOSED = "closed"


@contract
class TicketChanged(Contract):
    """A ticket was opened or changed status, priority or assignee (no message content)."""

    event_type = "helpdesk.ticket.changed"

    ticket_id: str
    request_id: str | None = None
    status: TicketStatus
    priority: Priority
    reason: RequestReason
    line_user_id: str | None = None
    participant_id: str | None = None
    assignee_id: str | None = None
    at: AwareDatetime
    # Added with the staff queue (optional, so older readers and events stay valid).
    channel: str | None = None
    category: str | None = None


class SlaTarget(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


@contract
class SlaWarning(Contract):
    """A ticket is close to missing a service-level target (announced once per target and cycle)."""

    event_type = "helpdesk.sla.warning"

    ticket_id: str
    target: SlaTarget
    priority: Priority
    due_at: AwareDatetime
    at: AwareDatetime


@contract
class SlaBreached(Contract):
    """A ticket missed a service-level target (announced once per target and cycle)."""

    event_type = "helpdesk.sla.breached"

    ticket_id: str
    target: SlaTarget
    priority: Priority
    due_at: AwareDatetime
    at: AwareDatetime
