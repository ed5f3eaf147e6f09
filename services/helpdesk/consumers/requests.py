"""Turning `helpdesk.requests` into tickets, exactly once per request id."""

from __future__ import annotations

from uuid import uuid4

from services.common.events.contracts.helpdesk import HelpRequested
from services.common.events.envelope import Envelope
from services.common.kafka.streams import HandlerContext
from services.common.logging import get_logger
from services.common.store import Tx
from services.common.time import utcnow
from services.helpdesk.store import TicketRepository

log = get_logger(__name__)


class RequestHandlers:
    def __init__(self, *, tickets: TicketRepository) -> None:
        self._tickets = tickets

    async def on_help_requested(
        self, envelope: Envelope[HelpRequested], ctx: HandlerContext
    ) -> None:
        # Retried on failure; the unique request id makes a repeated request open nothing new.
        request = envelope.data

        async def open_ticket(tx: Tx) -> bool:
            return await self._tickets.insert_if_new(
                tx,
                {
                    "_id": str(uuid4()),
                    "request_id": request.request_id,
                    "line_user_id": request.line_user_id,
                    "participant_id": request.participant_id,
                    "reason": request.reason.value,
                    "priority": request.priority.value,
                    "summary": request.summary,
                    "status": "new",
                    "opened_at": utcnow(),
                    "correlation_id": str(envelope.correlation_id),
                },
            )

        opened = await ctx.transaction(open_ticket)
        log.info("help request handled", opened=opened, reason=request.reason)
