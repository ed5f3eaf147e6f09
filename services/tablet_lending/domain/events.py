"""Ids of what tablet_lending publishes: events, LINE sends and helpdesk requests.

Sends and help requests get deterministic envelope ids (UUIDv5 of what they are for), so the same
reminder or reply computed twice is the same command: line_gateway and helpdesk recognise it.
Publishing itself (through the outbox, in a transaction) is `usecases/outbox.py`.
"""

from __future__ import annotations

from uuid import UUID, uuid4, uuid5

SOURCE = "tablet_lending"
# Fixed forever: the id of a reminder or reply must be the same in every process and release.
COMMAND_NAMESPACE = UUID("3b0e8f4c-7d1a-4c55-9a0e-61f2d8c4b7a9")


def command_id(key: str) -> UUID:
    return uuid5(COMMAND_NAMESPACE, key)


def new_id(prefix: str) -> str:
    """A short random id with a readable prefix: P- participant, L- loan, S- session, ..."""
    return f"{prefix}-{uuid4().hex[:12]}"
