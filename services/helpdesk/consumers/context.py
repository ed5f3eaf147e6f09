"""The helpdesk's read models of other services' events, shown to staff beside a ticket.

All handlers are retried on failure (MongoDB only): each is an idempotent upsert, and the
framework claims its event id in the same transaction.
"""

from __future__ import annotations

from functools import partial

from services.common.events.contracts.lending import (
    LoanClosed,
    LoanIssued,
    LoanOverdue,
    ParticipantErased,
    SessionAttended,
    SessionBooked,
    SessionBookingCancelled,
    SessionScheduled,
)
from services.common.events.contracts.line import AccountLinked, AccountUnlinked, SendRequested
from services.common.events.envelope import Envelope
from services.common.kafka.handling import Commit
from services.common.store import Tx
from services.helpdesk.store import ContextRepository

DAICHAN_PURPOSE = "ai_chat.reply"


class ContextHandlers:
    def __init__(self, *, context: ContextRepository) -> None:
        self._context = context

    async def on_account_linked(self, envelope: Envelope[AccountLinked], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an idempotent upsert.
        data = envelope.data
        await self._context.link(
            tx, line_user_id=data.user_id, participant_id=data.participant_id, at=data.linked_at
        )

    async def on_account_unlinked(self, envelope: Envelope[AccountUnlinked], tx: Tx) -> None:
        # Retried on failure (MongoDB only): unlinking twice changes nothing.
        data = envelope.data
        await self._context.unlink(
            tx, line_user_id=data.user_id, participant_id=data.participant_id
        )

    async def on_send_requested(self, envelope: Envelope[SendRequested]) -> Commit | None:
        # Retried on failure (MongoDB only): a turn keyed by the command id. Only Dai-chan's
        # answers matter here; everything else on line.outbound changes nothing, so it opens no
        # transaction (and a redelivered one is skipped again).
        data = envelope.data
        if data.purpose != DAICHAN_PURPOSE:
            return None
        return Commit(
            partial(
                self._context.add_turn,
                turn_id=str(envelope.id),
                line_user_id=data.user_id,
                role="daichan",
                text="\n".join(m.text for m in data.messages),
                at=envelope.occurred_at,
            )
        )

    async def on_loan_issued(self, envelope: Envelope[LoanIssued], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an idempotent upsert.
        data = envelope.data
        await self._context.upsert_loan(
            tx,
            data.loan_id,
            {
                "participant_id": data.participant_id,
                "cohort_id": data.cohort_id,
                "device_model": data.device_model,
                "issued_on": data.issued_on.isoformat(),
                "due_on": data.due_on.isoformat(),
                "state": "active",
            },
        )

    async def on_loan_closed(self, envelope: Envelope[LoanClosed], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an idempotent upsert.
        data = envelope.data
        await self._context.upsert_loan(
            tx,
            data.loan_id,
            {
                "participant_id": data.participant_id,
                "cohort_id": data.cohort_id,
                "state": data.outcome.value,
                "closed_on": data.closed_on.isoformat(),
                "days_overdue": 0,
            },
        )

    async def on_loan_overdue(self, envelope: Envelope[LoanOverdue], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an idempotent upsert.
        data = envelope.data
        await self._context.upsert_loan(
            tx,
            data.loan_id,
            {
                "participant_id": data.participant_id,
                "cohort_id": data.cohort_id,
                "due_on": data.due_on.isoformat(),
                "days_overdue": data.days_overdue,
                "overdue_stage": data.stage,
                "state": "overdue",
            },
        )

    async def on_session_scheduled(self, envelope: Envelope[SessionScheduled], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an idempotent upsert.
        data = envelope.data
        await self._context.upsert_session(
            tx,
            data.session_id,
            {
                "kind": data.kind.value,
                "title": data.title,
                "venue": data.venue,
                "starts_at": data.starts_at,
                "ends_at": data.ends_at,
                "cancelled": data.cancelled,
            },
        )

    async def on_session_booked(self, envelope: Envelope[SessionBooked], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an idempotent upsert.
        data = envelope.data
        await self._context.set_booking(
            tx,
            session_id=data.session_id,
            participant_id=data.participant_id,
            values={"booking": "booked", "booked_at": data.booked_at},
        )

    async def on_session_booking_cancelled(
        self, envelope: Envelope[SessionBookingCancelled], tx: Tx
    ) -> None:
        # Retried on failure (MongoDB only): an idempotent upsert.
        data = envelope.data
        await self._context.set_booking(
            tx,
            session_id=data.session_id,
            participant_id=data.participant_id,
            values={"booking": "cancelled"},
        )

    async def on_session_attended(self, envelope: Envelope[SessionAttended], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an idempotent upsert.
        data = envelope.data
        await self._context.set_booking(
            tx,
            session_id=data.session_id,
            participant_id=data.participant_id,
            values={"booking": "attended" if data.attended else "absent"},
        )

    async def on_participant_erased(self, envelope: Envelope[ParticipantErased], tx: Tx) -> None:
        # Retried on failure (MongoDB only): erasing what is already gone changes nothing.
        participant_id = envelope.data.participant_id
        await self._context.forget_participant(tx, participant_id)
