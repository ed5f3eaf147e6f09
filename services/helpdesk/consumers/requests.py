"""`helpdesk.requests`: help requests become tickets exactly once per request id."""

from __future__ import annotations

from functools import partial

from services.common.events.contracts.helpdesk import HelpRequested
from services.common.events.envelope import Envelope
from services.common.logging import get_logger
from services.common.store import Tx
from services.helpdesk.domain.service import TicketService
from services.helpdesk.domain.tickets import category_for, channel_for
from services.helpdesk.metrics import REQUESTS_HANDLED

log = get_logger(__name__)


class RequestHandlers:
    def __init__(self, *, service: TicketService) -> None:
        self._service = service

    async def on_help_requested(self, envelope: Envelope[HelpRequested], tx: Tx) -> None:
        # Retried on failure: the processed-event mark and the unique request id make a repeated
        # request open nothing new; nothing outside MongoDB happens here.
        request = envelope.data
        channel = channel_for(
            reason=request.reason, source=envelope.source, line_user_id=request.line_user_id
        )
        outcome, after = await self._service.open_from_request(
            tx,
            request=request,
            envelope=envelope,
            channel=channel,
            category=category_for(request.reason),
        )
        # Metrics once the ticket is committed.
        tx.after_commit(
            *after,
            REQUESTS_HANDLED.labels(outcome).inc,
            partial(log.info, "help request handled", outcome=outcome, reason=request.reason.value),
        )
