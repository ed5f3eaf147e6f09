"""What a ticket is: channels, categories, priorities, and the status state machine."""

from __future__ import annotations

from enum import StrEnum

from services.common.events.contracts.helpdesk import Priority, RequestReason, TicketStatus


class Channel(StrEnum):
    LINE = "line"
    PHONE = "phone"
    EMAIL = "email"
    AI_ESCALATION = "ai_escalation"
    DEVICE_ISSUE = "device_issue"


class Category(StrEnum):
    EMERGENCY = "emergency"
    SELF_HARM = "self_harm"
    FRAUD = "fraud"
    PERSON_REQUESTED = "person_requested"
    DEVICE = "device"
    LOAN = "loan"
    SESSION = "session"
    ACCOUNT = "account"
    SAFETY_REVIEW = "safety_review"
    OTHER = "other"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


# Lower sorts first in the queue.
PRIORITY_RANK: dict[Priority, int] = {
    Priority.URGENT: 0,
    Priority.HIGH: 1,
    Priority.NORMAL: 2,
    Priority.LOW: 3,
}

# Statuses in which a ticket still needs the helpdesk (the backlog).
ACTIVE = frozenset({TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING_ON_SENIOR})

# The state machine. "Reopened" is the RESOLVED -> OPEN transition, taken when the senior writes
# again (or staff reopen); CLOSED is final, so a senior writing after that gets a new ticket.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.NEW: frozenset(
        {TicketStatus.OPEN, TicketStatus.WAITING_ON_SENIOR, TicketStatus.RESOLVED}
    ),
    TicketStatus.OPEN: frozenset({TicketStatus.WAITING_ON_SENIOR, TicketStatus.RESOLVED}),
    TicketStatus.WAITING_ON_SENIOR: frozenset({TicketStatus.OPEN, TicketStatus.RESOLVED}),
    TicketStatus.RESOLVED: frozenset({TicketStatus.OPEN, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset(),
}


class InvalidTransition(ValueError):
    def __init__(self, current: TicketStatus, wanted: TicketStatus) -> None:
        super().__init__(f"A ticket cannot go from {current.value} to {wanted.value}.")
        self.current = current
        self.wanted = wanted


def check_transition(current: TicketStatus, wanted: TicketStatus) -> None:
    if wanted not in TRANSITIONS[current]:
        raise InvalidTransition(current, wanted)


_PRIORITY_FLOOR: dict[RequestReason, Priority] = {
    RequestReason.EMERGENCY: Priority.URGENT,
    RequestReason.SELF_HARM: Priority.URGENT,
    RequestReason.FRAUD_SUSPECTED: Priority.HIGH,
}


def effective_priority(reason: RequestReason, requested: Priority) -> Priority:
    """Emergencies and self-harm are always urgent and fraud at least high, whatever was asked."""
    floor = _PRIORITY_FLOOR.get(reason)
    if floor is not None and PRIORITY_RANK[floor] < PRIORITY_RANK[requested]:
        return floor
    return requested


def higher_priority(a: Priority, b: Priority) -> Priority:
    return a if PRIORITY_RANK[a] <= PRIORITY_RANK[b] else b


_CATEGORY_OF_REASON: dict[RequestReason, Category] = {
    RequestReason.EMERGENCY: Category.EMERGENCY,
    RequestReason.SELF_HARM: Category.SELF_HARM,
    RequestReason.FRAUD_SUSPECTED: Category.FRAUD,
    RequestReason.PERSON_REQUESTED: Category.PERSON_REQUESTED,
    RequestReason.DEVICE_ISSUE: Category.DEVICE,
    RequestReason.LOAN_CALL_TASK: Category.LOAN,
    RequestReason.SAFETY_REVIEW: Category.SAFETY_REVIEW,
    RequestReason.OTHER: Category.OTHER,
}

_REASON_OF_CATEGORY: dict[Category, RequestReason] = {
    Category.EMERGENCY: RequestReason.EMERGENCY,
    Category.SELF_HARM: RequestReason.SELF_HARM,
    Category.FRAUD: RequestReason.FRAUD_SUSPECTED,
    Category.PERSON_REQUESTED: RequestReason.PERSON_REQUESTED,
    Category.DEVICE: RequestReason.DEVICE_ISSUE,
    Category.LOAN: RequestReason.LOAN_CALL_TASK,
    Category.SAFETY_REVIEW: RequestReason.SAFETY_REVIEW,
}


def category_for(reason: RequestReason) -> Category:
    return _CATEGORY_OF_REASON[reason]


def reason_for(category: Category) -> RequestReason:
    return _REASON_OF_CATEGORY.get(category, RequestReason.OTHER)


def channel_for(*, reason: RequestReason, source: str, line_user_id: str | None) -> Channel:
    if reason is RequestReason.DEVICE_ISSUE:
        return Channel.DEVICE_ISSUE
    if source == "ai_chat":
        return Channel.AI_ESCALATION
    return Channel.LINE if line_user_id else Channel.PHONE
