"""The context beside a ticket, from the shared programme projection, as staff have always seen it.

Driven by the real handlers on the suite's real mongod, through the framework's claim.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any, cast
from uuid import uuid4

import pytest

from services.common.events.contracts.lending import (
    LoanClosed,
    LoanIssued,
    LoanOutcome,
    LoanOverdue,
    ParticipantErased,
    SessionAttended,
    SessionBooked,
    SessionBookingCancelled,
    SessionKind,
    SessionScheduled,
)
from services.common.events.contracts.line import ConversationMode, MessageReceived
from services.common.events.envelope import Contract, new_event
from services.common.kafka.handling import EventHandling
from services.common.programme.handlers import ProgrammeHandlers
from services.common.programme.projection import ProgrammeProjection
from services.common.store import MongoStore
from services.common.time import utcnow
from services.helpdesk.consumers.context import ConversationFiling
from services.helpdesk.consumers.inbound import InboundHandlers
from services.helpdesk.store import ContextRepository
from tools.devstack.stack import Stack


class Context:
    def __init__(self, store: MongoStore) -> None:
        self.store = store
        projection = ProgrammeProjection(store)
        self.repository = ContextRepository(store, programme=projection)
        # Bot-mode messages only: they never reach a ticket, so no ticket work is needed.
        self.inbound = InboundHandlers(
            senior=cast(Any, None), filing=ConversationFiling(self.repository)
        )
        self.programme = ProgrammeHandlers(projection=projection, also_erase=[self.repository])
        self._handling = EventHandling(store=store, group="helpdesk")

    async def feed(self, handler: Any, data: Contract) -> None:
        await self._handling.apply(new_event(data, source="test"), handler)

    async def message(self, user: str, participant: str | None, *, minute: int) -> None:
        """A senior's message to Dai-chan, stamped by line_gateway with their participant."""
        await self._handling.decide(
            new_event(
                MessageReceived(
                    user_id=user,
                    webhook_event_id=uuid4().hex,
                    message_id=uuid4().hex[:12],
                    message_type="text",
                    text="こんにちは",
                    sent_at=utcnow().replace(microsecond=0) + timedelta(minutes=minute),
                    conversation_mode=ConversationMode.BOT,
                    participant_id=participant,
                ),
                source="test",
            ),
            self.inbound.on_message_received,
        )


@pytest.fixture
async def context(infra: Stack) -> AsyncIterator[Context]:
    store = MongoStore(
        uri=infra.mongo.uri, database=f"test_helpdesk_{uuid4().hex[:12]}", app_name="t"
    )
    try:
        await store.ensure_indexes(
            [
                *ContextRepository.indexes(conversation_retention=timedelta(days=1)),
                *ProgrammeProjection.indexes(),
            ]
        )
        yield Context(store)
    finally:
        await store.drop_database()
        await store.close()


async def test_a_loan_shows_active_then_overdue_then_how_it_closed(context: Context) -> None:
    participant = f"P-{uuid4().hex[:8]}"
    loan = {"loan_id": "L1", "participant_id": participant, "cohort_id": "C3"}
    await context.feed(
        context.programme.on_loan_issued,
        LoanIssued(
            **loan, device_model="tab", issued_on=date(2026, 5, 1), due_on=date(2026, 10, 31)
        ),
    )
    assert await context.repository.loans_of(participant) == [
        {
            "_id": "L1",
            "participant_id": participant,
            "cohort_id": "C3",
            "device_model": "tab",
            "issued_on": "2026-05-01",
            "due_on": "2026-10-31",
            "state": "active",
        }
    ]
    await context.feed(
        context.programme.on_loan_overdue,
        LoanOverdue(**loan, due_on=date(2026, 10, 31), days_overdue=3, stage="first"),
    )
    [overdue] = await context.repository.loans_of(participant)
    assert (overdue["state"], overdue["days_overdue"], overdue["overdue_stage"]) == (
        "overdue",
        3,
        "first",
    )
    await context.feed(
        context.programme.on_loan_closed,
        LoanClosed(**loan, outcome=LoanOutcome.LOST, closed_on=date(2026, 11, 5)),
    )
    [closed] = await context.repository.loans_of(participant)
    assert (closed["state"], closed["closed_on"], closed["days_overdue"]) == (
        "lost",
        "2026-11-05",
        0,
    )


async def test_sessions_show_the_latest_of_each_booking(context: Context) -> None:
    participant = f"P-{uuid4().hex[:8]}"
    starts = utcnow().replace(microsecond=0) + timedelta(days=3)
    await context.feed(
        context.programme.on_session_scheduled,
        SessionScheduled(
            session_id="S1",
            cohort_id="C3",
            kind=SessionKind.EXPLANATORY,
            title="説明会",
            venue="阿倍野",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=20,
            seats_left=5,
        ),
    )
    booked_at = utcnow().replace(microsecond=0)
    await context.feed(
        context.programme.on_session_booked,
        SessionBooked(session_id="S1", participant_id=participant, booked_at=booked_at),
    )
    await context.feed(
        context.programme.on_session_booked,
        SessionBooked(session_id="S2", participant_id=participant, booked_at=booked_at),
    )
    await context.feed(
        context.programme.on_booking_cancelled,
        SessionBookingCancelled(
            session_id="S2", participant_id=participant, cancelled_at=booked_at
        ),
    )
    await context.feed(
        context.programme.on_session_attended,
        SessionAttended(session_id="S1", participant_id=participant, attended=True),
    )
    shown = await context.repository.sessions_of(participant)
    # A booking of a session not (yet) known shows without its title, first.
    assert shown == [
        {
            "_id": f"S2:{participant}",
            "session_id": "S2",
            "participant_id": participant,
            "booking": "cancelled",
            "booked_at": booked_at,
        },
        {
            "_id": f"S1:{participant}",
            "kind": "explanatory",
            "title": "説明会",
            "venue": "阿倍野",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "cancelled": False,
            "session_id": "S1",
            "participant_id": participant,
            "booking": "attended",
            "booked_at": booked_at,
        },
    ]


async def test_erasure_forgets_the_link_loans_and_bookings(context: Context) -> None:
    participant, user = f"P-{uuid4().hex[:8]}", f"U{uuid4().hex}"
    await context.message(user, participant, minute=0)
    await context.feed(
        context.programme.on_loan_issued,
        LoanIssued(
            loan_id="L9",
            participant_id=participant,
            cohort_id="C3",
            device_model="tab",
            issued_on=date(2026, 5, 1),
            due_on=date(2026, 10, 31),
        ),
    )
    await context.feed(
        context.programme.on_session_booked,
        SessionBooked(session_id="S1", participant_id=participant, booked_at=utcnow()),
    )
    assert await context.repository.participant_of(user) == participant

    await context.feed(
        context.programme.on_participant_erased,
        ParticipantErased(participant_id=participant, erased_at=utcnow()),
    )
    assert await context.repository.participant_of(user) is None
    assert await context.repository.line_user_of(participant) is None
    assert await context.repository.loans_of(participant) == []
    assert await context.repository.sessions_of(participant) == []


async def test_who_a_line_user_is_follows_the_stamp_on_their_latest_message(
    context: Context,
) -> None:
    participant, old_phone, new_phone = f"P-{uuid4().hex[:8]}", f"U{uuid4().hex}", f"U{uuid4().hex}"
    repository = context.repository
    await context.message(old_phone, None, minute=0)
    assert await repository.participant_of(old_phone) is None

    await context.message(old_phone, participant, minute=1)
    assert await repository.participant_of(old_phone) == participant
    assert await repository.line_user_of(participant) == old_phone

    # The participant links a new phone; the old one's next message comes unstamped.
    await context.message(new_phone, participant, minute=2)
    await context.message(old_phone, None, minute=3)
    assert await repository.participant_of(old_phone) is None
    assert await repository.line_user_of(participant) == new_phone
    # Staff see the conversation, never the stamp on it.
    turns = await repository.recent_turns(new_phone, limit=5)
    assert turns
    assert all("participant_id" not in turn for turn in turns)


async def test_the_retired_link_collection_expires_like_the_conversation(context: Context) -> None:
    # What an older release projected from line.account.linked is read by nothing now, and no
    # erasure reaches it: it must not stay for good.
    indexes = await context.store.collection("context_links").index_information()
    assert indexes["linked_at_ttl"]["expireAfterSeconds"] == timedelta(days=1).total_seconds()
