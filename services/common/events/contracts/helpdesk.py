"""Contracts on `helpdesk.requests` (asking for a person) and `helpdesk.events` (what staff did)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from services.common.events.envelope import Contract
from services.common.events.registry import contract


class RequestReason(StrEnum):
    PERSON_REQUESTED = "person_requested"
    EMERGENCY = "emergency"
    FRAUD_SUSPECTED = "fraud_suspected"
    SELF_HARM = "self_harm"
    DEVICE_ISSUE = "device_issue"
    LOAN_CALL_TASK = "loan_call_task"
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
