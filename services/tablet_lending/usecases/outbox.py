"""Publishing through the outbox: lending events, LINE sends and helpdesk requests.

Each is staged in the caller's transaction and sent once it commits; the ids come from
`domain/events.py` (deterministic for sends and help requests, so a repeat is recognised).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.common.events.contracts.helpdesk import HelpRequested
from services.common.events.contracts.line import SendRequested
from services.common.events.envelope import Contract, Envelope, new_event
from services.common.kafka.topics import HELPDESK_REQUESTS, LENDING_EVENTS, LINE_OUTBOUND
from services.common.store import Tx
from services.tablet_lending.domain.events import SOURCE, command_id


async def publish(tx: Tx, *, key: str, data: Contract, event_id: UUID | None = None) -> None:
    """Stage a lending event in this transaction's outbox (sent once it commits)."""
    await tx.emit(
        topic=LENDING_EVENTS, key=key, event=new_event(data, source=SOURCE, event_id=event_id)
    )


async def send_line(
    tx: Tx, *, command: SendRequested, key: str, cause: Envelope[Any] | None = None
) -> None:
    """Ask line_gateway to send; `key` names the send (e.g. the reminder id)."""
    await tx.emit(
        topic=LINE_OUTBOUND,
        key=command.user_id,
        event=new_event(command, source=SOURCE, cause=cause, event_id=command_id(f"line:{key}")),
    )


async def request_help(tx: Tx, *, request: HelpRequested) -> None:
    """Put a task in the helpdesk queue; helpdesk opens one ticket per `request_id`."""
    await tx.emit(
        topic=HELPDESK_REQUESTS,
        key=request.participant_id or request.request_id,
        event=new_event(request, source=SOURCE, event_id=command_id(f"help:{request.request_id}")),
    )
