"""What filing the conversation beside a ticket costs, counted on the suite's real mongod.

The helpdesk reads every `line.inbound` message and every `line.outbound` command to keep the
recent Dai-chan conversation for staff. Each used to be a transaction of its own (processed-event
claim, upsert, commit: three commands for a message, four with the processed read for a command).
A turn is keyed by its event and only inserted, so it is its own processed mark: a filed event
costs the framework's processed read and a share of one unordered bulk write that concurrent
events join, and no transaction. Driven through the service's own routes and the framework.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, cast
from uuid import uuid4

import pytest

from services.common.events.contracts.lending import ParticipantErased
from services.common.events.contracts.line import (
    ConversationMode,
    MessageReceived,
    SendRequested,
    TextMessage,
)
from services.common.events.envelope import Contract, Envelope, new_event
from services.common.kafka.handling import Commit, EventHandling, Route
from services.common.programme.handlers import ProgrammeHandlers
from services.common.programme.projection import ProgrammeProjection
from services.common.store.processed import ProcessedEvents
from services.common.time import utcnow
from services.helpdesk.app import consumer_routes
from services.helpdesk.consumers.context import ContextHandlers, ConversationFiling
from services.helpdesk.consumers.deliveries import DeliveryHandlers
from services.helpdesk.consumers.inbound import InboundHandlers
from services.helpdesk.consumers.requests import RequestHandlers
from services.helpdesk.store import ContextRepository
from services.helpdesk.store.context import CONVERSATION, TurnRefused
from tests.fixtures.mongo import CountingStore, scratch_store
from tests.helpdesk.support import senior_message
from tools.devstack.stack import Stack


class Helpdesk:
    """The helpdesk's consumer routes on a real store, handled as its stream processor does."""

    def __init__(self, store: CountingStore) -> None:
        self.store = store
        projection = ProgrammeProjection(store)
        self.context = ContextRepository(store, programme=projection)
        filing = ConversationFiling(self.context)
        # Only bot-mode messages and commands here: no ticket work is reached.
        self.inbound = InboundHandlers(senior=cast(Any, None), filing=filing)
        routes = consumer_routes(
            RequestHandlers(opening=cast(Any, None)),
            self.inbound,
            ContextHandlers(filing=filing),
            ProgrammeHandlers(projection=projection, also_erase=[self.context]),
            DeliveryHandlers(senior=cast(Any, None)),
        )
        self.routes: dict[type[Contract], Route[Any]] = {r.contract: r for r in routes}
        self.handling = EventHandling(store=store, group="helpdesk")

    async def handle(self, envelope: Envelope[Any]) -> str:
        return await self.handling.handle(self.routes[type(envelope.data)], envelope)


def message(
    user: str,
    *,
    text: str = "こんにちは",
    participant: str | None = None,
    mode: ConversationMode = ConversationMode.BOT,
) -> Envelope[MessageReceived]:
    """A senior's message while Dai-chan has the conversation, unless `mode` says otherwise."""
    return senior_message(user, text, mode=mode, participant_id=participant)


def answer(user: str, purpose: str = "ai_chat.answer") -> Envelope[SendRequested]:
    return new_event(
        SendRequested(user_id=user, messages=[TextMessage(text="はい、どうぞ")], purpose=purpose),
        source="ai_chat",
    )


@pytest.fixture
async def helpdesk(infra: Stack) -> AsyncIterator[Helpdesk]:
    async with scratch_store(infra, CountingStore) as store:
        await store.ensure_indexes(
            [
                *ContextRepository.indexes(conversation_retention=timedelta(days=1)),
                *ProgrammeProjection.indexes(),
                ProcessedEvents.indexes(timedelta(days=1)),
            ]
        )
        yield Helpdesk(store)


async def test_a_filed_message_or_answer_is_one_write_without_a_read_or_a_transaction(
    helpdesk: Helpdesk,
) -> None:
    user = f"U{uuid4().hex}"
    await helpdesk.handle(message(user))  # the first command of a client connects
    commands = helpdesk.store.commands

    commands.names.clear()
    assert await helpdesk.handle(message(user)) == "handled"
    # The turn's upsert alone: the route reads no claim (it files again to no effect). It was
    # insert (claim), update, commitTransaction: a transaction per message.
    assert commands.names == ["update"]

    commands.names.clear()
    assert await helpdesk.handle(answer(user)) == "handled"
    assert commands.names == ["update"]  # was find, insert, update, commitTransaction

    commands.names.clear()
    await helpdesk.handle(answer(user, purpose="lending.reminder"))
    assert commands.names == []  # not Dai-chan's: nothing to file, nothing read

    turns = await helpdesk.context.recent_turns(user, limit=10)
    assert [t["role"] for t in turns] == ["daichan", "senior", "senior"]
    assert await helpdesk.store.db.processed_events.count_documents({}) == 0


async def test_concurrent_events_of_many_seniors_share_a_few_bulk_writes(
    helpdesk: Helpdesk,
) -> None:
    users = [f"U{uuid4().hex}" for _ in range(40)]
    await helpdesk.handle(message(users[0]))
    commands = helpdesk.store.commands
    events = [message(user) for user in users] + [answer(user) for user in users]
    commands.names.clear()

    # As the stream processor's lanes run them: one at a time per senior, seniors at once.
    await asyncio.gather(*(helpdesk.handle(event) for event in events))

    counted = Counter(commands.names)
    # Only the bulk writes: what arrived while one was under way went into the next (a
    # transaction per event was 3-4 commands each: 280 for these 80).
    assert set(counted) == {"update"}
    assert counted["update"] <= 10
    for user in users:
        assert len(await helpdesk.context.recent_turns(user, limit=10)) == 2 + (user == users[0])


async def test_a_redelivered_event_changes_nothing_even_after_the_senior_was_erased(
    helpdesk: Helpdesk,
) -> None:
    user, participant = f"U{uuid4().hex}", f"P-{uuid4().hex[:8]}"
    said = message(user, participant=participant)
    await helpdesk.handle(said)
    told = answer(user)
    await helpdesk.handle(told)
    stored = await helpdesk.context.turn(str(said.id))
    assert await helpdesk.context.participant_of(user) == participant

    await helpdesk.handle(
        new_event(
            ParticipantErased(participant_id=participant, erased_at=utcnow()), source="lending"
        )
    )
    # Redelivered (a crash before the offsets were committed): the turns are their own marks.
    assert await helpdesk.handle(said) == "handled"
    assert await helpdesk.handle(told) == "handled"

    assert await helpdesk.context.participant_of(user) is None
    assert await helpdesk.store.collection(CONVERSATION).count_documents({}) == 2
    assert stored is not None
    stored.pop("participant_id")
    assert await helpdesk.context.turn(str(said.id)) == stored


async def test_a_turn_mongod_refuses_fails_its_own_event_only(helpdesk: Helpdesk) -> None:
    # A rule no real turn breaks, so that mongod refuses one document of a bulk write.
    await helpdesk.store.db.command(
        "collMod", CONVERSATION, validator={"text": {"$ne": "拒否される文"}}
    )
    users = [f"U{uuid4().hex}" for _ in range(3)]
    events = [message(users[0]), message(users[1], text="拒否される文"), message(users[2])]

    results = await asyncio.gather(
        *(helpdesk.handle(event) for event in events), return_exceptions=True
    )

    assert results[0] == results[2] == "handled"
    refused = results[1]
    assert isinstance(refused, TurnRefused)  # the framework retries it, then dead-letters it
    assert refused.code == 121
    assert "拒否" not in str(refused)  # what the senior wrote stays out of logs and headers
    assert [len(await helpdesk.context.recent_turns(u, limit=5)) for u in users] == [1, 0, 1]


async def test_a_message_while_staff_have_the_conversation_is_no_turn_but_a_claimed_commit(
    helpdesk: Helpdesk,
) -> None:
    user = f"U{uuid4().hex}"
    decided = await helpdesk.inbound.on_message_received(message(user, mode=ConversationMode.HUMAN))

    # Joins the ticket, with the claim: on the stack in tests/helpdesk/test_sla_and_security.py.
    assert isinstance(decided, Commit)
    assert await helpdesk.context.recent_turns(user, limit=5) == []
