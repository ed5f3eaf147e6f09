"""`helpdesk.requests`: help requests become tickets exactly once per request id."""

from __future__ import annotations

from functools import partial

from services.common.events.contracts.helpdesk import HelpRequested
from services.common.events.envelope import Envelope
from services.common.logging import get_logger
from services.common.store import Tx
from services.helpdesk.domain.tickets import channel_for
from services.helpdesk.metrics import REQUESTS_HANDLED
from services.helpdesk.usecases.opening import Opening

log = get_logger(__name__)


class RequestHandlers:
    def __init__(self, *, opening: Opening) -> None:
        self._opening = opening

    async def on_help_requested(self, envelope: Envelope[HelpRequested], tx: Tx) -> None:
        # Retried on failure: the processed-event mark and the unique request id make a repeated
        # request open nothing new; nothing outside MongoDB happens here.
        request = envelope.data
        channel = channel_for(
            reason=request.reason, source=envelope.source, line_user_id=request.line_user_id
        )
        outcome = await self._opening.from_request(
            tx, request=request, envelope=envelope, channel=channel
        )
        # Metrics once the ticket is committed.
        tx.after_commit(
            REQUESTS_HANDLED.labels(outcome).inc,
            partial(log.info, "help request handled", outcome=outcome, reason=request.reason.value),
        )
