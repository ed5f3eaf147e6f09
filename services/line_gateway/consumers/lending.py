"""What the gateway needs from `lending.events`: link codes, and participants who were erased."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from services.common.events.contracts.lending import (
    LinkCodeIssued,
    LinkCodeIssuedV2,
    ParticipantErased,
)
from services.common.events.contracts.line import AccountUnlinked
from services.common.events.envelope import Envelope, new_event
from services.common.kafka.handling import Commit
from services.common.kafka.topics import LINE_INBOUND
from services.common.logging import get_logger
from services.common.store import Tx
from services.line_gateway.store import LineUserRepository, LinkCodeRepository

SOURCE = "line_gateway"
log = get_logger(__name__)


class LendingHandlers:
    def __init__(self, *, codes: LinkCodeRepository, users: LineUserRepository) -> None:
        self._codes = codes
        self._users = users

    async def on_link_code_issued(
        self, envelope: Envelope[LinkCodeIssuedV2 | LinkCodeIssued]
    ) -> Commit | None:
        # Retried on failure (MongoDB only); the code is keyed by its digest, so a repeat is a
        # no-op. The route is by event type, so v1 events (salted sha256) arrive here too: their
        # codes could be reversed by anyone reading the topic, so they are not honoured (and
        # change nothing, so a redelivered one is just refused again).
        issued = envelope.data
        if not isinstance(issued, LinkCodeIssuedV2):
            log.warning("v1 link code ignored (exposed); reissue it", event_id=str(envelope.id))
            return None
        return Commit(partial(self._remember, issued=issued, at=envelope.occurred_at))

    async def _remember(self, tx: Tx, *, issued: LinkCodeIssuedV2, at: datetime) -> None:
        await self._codes.issue(
            tx,
            code_digest=issued.code_digest,
            participant_id=issued.participant_id,
            expires_at=issued.expires_at,
            issued_at=at,
        )

    async def on_participant_erased(self, envelope: Envelope[ParticipantErased], tx: Tx) -> None:
        # Retried on failure (MongoDB only). The senior stays a LINE friend, just unlinked.
        erased = envelope.data
        await self._codes.forget_participant(tx, participant_id=erased.participant_id)
        user_id = await self._users.user_linked_to(tx, erased.participant_id)
        if user_id is None:
            return
        await self._users.unlink(tx, user_id=user_id)
        await tx.emit(
            topic=LINE_INBOUND,
            key=user_id,
            event=new_event(
                AccountUnlinked(
                    user_id=user_id,
                    participant_id=erased.participant_id,
                    reason="participant_erased",
                    unlinked_at=erased.erased_at,
                ),
                source=SOURCE,
                cause=envelope,
            ),
        )
