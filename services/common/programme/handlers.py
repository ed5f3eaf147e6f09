"""`lending.events` into a service's programme projection: the same handlers for every reader.

Every handler is retried on failure (MongoDB only): each write is an idempotent upsert keyed by
the fact's own id, and the framework claims the event id in the same transaction, so a
redelivery changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from services.common.events.contracts.lending import (
    CohortPublished,
    LoanClosed,
    LoanIssued,
    LoanOverdue,
    ParticipantEnrolled,
    ParticipantErased,
    SessionAttended,
    SessionBooked,
    SessionBookingCancelled,
    SessionScheduled,
)
from services.common.events.envelope import Envelope
from services.common.kafka.handling import Route, route
from services.common.kafka.topics import LENDING_EVENTS, TopicSpec
from services.common.programme.projection import ProgrammeProjection
from services.common.store import Tx


class KeepsParticipants(Protocol):
    """A reader's own record that names participants (its LINE links), erased with them."""

    async def forget_participant(self, tx: Tx, *, participant_id: str) -> None: ...


class ProgrammeHandlers:
    def __init__(
        self, *, projection: ProgrammeProjection, also_erase: Sequence[KeepsParticipants] = ()
    ) -> None:
        self._projection = projection
        self._also_erase = tuple(also_erase)

    async def on_loan_issued(self, envelope: Envelope[LoanIssued], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by loan id.
        await self._projection.loan_issued(tx, envelope.data)

    async def on_loan_closed(self, envelope: Envelope[LoanClosed], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by loan id.
        await self._projection.loan_closed(tx, envelope.data)

    async def on_loan_overdue(self, envelope: Envelope[LoanOverdue], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by loan id, unless the loan is closed.
        await self._projection.loan_overdue(tx, envelope.data)

    async def on_session_scheduled(self, envelope: Envelope[SessionScheduled], tx: Tx) -> None:
        # Retried on failure (MongoDB only): the latest version of the session wins.
        await self._projection.session_scheduled(tx, envelope.data, at=envelope.occurred_at)

    async def on_session_booked(self, envelope: Envelope[SessionBooked], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by session and participant.
        await self._projection.session_booked(tx, envelope.data)

    async def on_booking_cancelled(
        self, envelope: Envelope[SessionBookingCancelled], tx: Tx
    ) -> None:
        # Retried on failure (MongoDB only): an upsert by session and participant.
        await self._projection.booking_cancelled(tx, envelope.data)

    async def on_session_attended(self, envelope: Envelope[SessionAttended], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by session and participant.
        await self._projection.attended(tx, envelope.data)

    async def on_participant_enrolled(
        self, envelope: Envelope[ParticipantEnrolled], tx: Tx
    ) -> None:
        # Retried on failure (MongoDB only): an upsert by participant.
        p = envelope.data
        await self._projection.enrolled(
            tx, participant_id=p.participant_id, cohort_id=p.cohort_id, area_code=p.area_code
        )

    async def on_cohort_published(self, envelope: Envelope[CohortPublished], tx: Tx) -> None:
        # Retried on failure (MongoDB only): an upsert by cohort id.
        await self._projection.cohort_published(tx, envelope.data)

    async def on_participant_erased(self, envelope: Envelope[ParticipantErased], tx: Tx) -> None:
        # Retried on failure (MongoDB only): erasing what is already gone changes nothing.
        participant_id = envelope.data.participant_id
        await self._projection.erase_participant(tx, participant_id=participant_id)
        for keeper in self._also_erase:
            await keeper.forget_participant(tx, participant_id=participant_id)


def programme_routes(topic: TopicSpec, handlers: ProgrammeHandlers) -> list[Route[Any]]:
    """The routes of a service that keeps the programme projection, from `topic` (always
    `LENDING_EVENTS`; named at the call so the service's wiring says what it consumes)."""
    if topic is not LENDING_EVENTS:
        raise ValueError(f"the programme projection is built from {LENDING_EVENTS.name}")
    h = handlers
    return [
        route(LENDING_EVENTS, LoanIssued, apply=h.on_loan_issued),
        route(LENDING_EVENTS, LoanClosed, apply=h.on_loan_closed),
        route(LENDING_EVENTS, LoanOverdue, apply=h.on_loan_overdue),
        route(LENDING_EVENTS, SessionScheduled, apply=h.on_session_scheduled),
        route(LENDING_EVENTS, SessionBooked, apply=h.on_session_booked),
        route(LENDING_EVENTS, SessionBookingCancelled, apply=h.on_booking_cancelled),
        route(LENDING_EVENTS, SessionAttended, apply=h.on_session_attended),
        route(LENDING_EVENTS, ParticipantEnrolled, apply=h.on_participant_enrolled),
        route(LENDING_EVENTS, CohortPublished, apply=h.on_cohort_published),
        route(LENDING_EVENTS, ParticipantErased, apply=h.on_participant_erased),
    ]
