"""`lending.events` into ai_chat's own read model of loans, sessions and bookings.

Every handler is retried on failure: every write is an idempotent upsert keyed by the fact's own
id, and the framework claims the event id in the same transaction, so a redelivery changes nothing.
"""

from __future__ import annotations

from services.ai_chat.store.programme import CohortView, ProgrammeRepository, SessionView
from services.ai_chat.store.seniors import SeniorRepository
from services.common.events.contracts.lending import (
    CohortPublished,
    LoanClosed,
    LoanIssued,
    LoanOverdue,
    ParticipantEnrolled,
    ParticipantErased,
    SessionBooked,
    SessionBookingCancelled,
    SessionScheduled,
)
from services.common.events.envelope import Envelope
from services.common.store import Tx


class LendingHandlers:
    def __init__(self, *, programme: ProgrammeRepository, seniors: SeniorRepository) -> None:
        self._programme = programme
        self._seniors = seniors

    async def on_loan_issued(self, envelope: Envelope[LoanIssued], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by loan id.
        loan = envelope.data
        await self._programme.loan_issued(
            tx,
            loan_id=loan.loan_id,
            participant_id=loan.participant_id,
            cohort_id=loan.cohort_id,
            device_model=loan.device_model,
            issued_on=loan.issued_on,
            due_on=loan.due_on,
        )

    async def on_loan_closed(self, envelope: Envelope[LoanClosed], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by loan id.
        loan = envelope.data
        await self._programme.loan_closed(
            tx,
            loan_id=loan.loan_id,
            participant_id=loan.participant_id,
            cohort_id=loan.cohort_id,
            outcome=loan.outcome.value,
            closed_on=loan.closed_on,
        )

    async def on_loan_overdue(self, envelope: Envelope[LoanOverdue], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by loan id.
        loan = envelope.data
        await self._programme.loan_overdue(
            tx,
            loan_id=loan.loan_id,
            participant_id=loan.participant_id,
            cohort_id=loan.cohort_id,
            due_on=loan.due_on,
            days_overdue=loan.days_overdue,
        )

    async def on_session_scheduled(self, envelope: Envelope[SessionScheduled], tx: Tx) -> None:
        # Retried on failure (MongoDB only): the latest version of the session wins.
        s = envelope.data
        view = SessionView(
            session_id=s.session_id,
            cohort_id=s.cohort_id,
            kind=s.kind.value,
            title=s.title,
            venue=s.venue,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            capacity=s.capacity,
            seats_left=s.seats_left,
            cancelled=s.cancelled,
        )
        await self._programme.session_scheduled(tx, session=view, version_at=envelope.occurred_at)

    async def on_session_booked(self, envelope: Envelope[SessionBooked], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by session and participant.
        b = envelope.data
        await self._programme.booking(
            tx,
            session_id=b.session_id,
            participant_id=b.participant_id,
            booked=True,
            at=b.booked_at,
        )

    async def on_booking_cancelled(
        self, envelope: Envelope[SessionBookingCancelled], tx: Tx
    ) -> None:
        # Retried on failure (MongoDB only): an upsert by session and participant.
        b = envelope.data
        await self._programme.booking(
            tx,
            session_id=b.session_id,
            participant_id=b.participant_id,
            booked=False,
            at=b.cancelled_at,
        )

    async def on_participant_enrolled(
        self, envelope: Envelope[ParticipantEnrolled], tx: Tx
    ) -> None:
        # Retried on failure (MongoDB only): an upsert by participant.
        p = envelope.data
        await self._programme.enrolled(tx, participant_id=p.participant_id, cohort_id=p.cohort_id)

    async def on_cohort_published(self, envelope: Envelope[CohortPublished], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by cohort id.
        c = envelope.data
        view = CohortView(
            cohort_id=c.cohort_id,
            name=c.name,
            lending_starts_on=c.lending_starts_on,
            lending_ends_on=c.lending_ends_on,
        )
        await self._programme.cohort_published(tx, cohort=view)

    async def on_participant_erased(self, envelope: Envelope[ParticipantErased], tx: Tx) -> None:
        # Retried on failure (MongoDB only): erasing what is already gone changes nothing.
        participant_id = envelope.data.participant_id
        await self._programme.erase_participant(tx, participant_id=participant_id)
        await self._seniors.forget_participant(tx, participant_id=participant_id)
