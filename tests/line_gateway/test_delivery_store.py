"""Delivery attempts and outcomes on a real mongod: a killed gateway's open transaction does not
hold up the next attempt, and a replay after a refusal keeps its own attempt."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from services.common.events.contracts.line import DeliveryMethod, DeliveryOutcome
from services.common.store import MongoStore, Tx
from services.line_gateway.store import DeliveryRepository
from tools.devstack.stack import Stack


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[MongoStore]:
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid4().hex[:10]}", app_name="test")
    await store.ensure_indexes(DeliveryRepository.indexes())
    try:
        yield store
    finally:
        await store.drop_database()
        await store.close()


async def test_an_outcome_transaction_left_open_does_not_hold_up_the_next_attempt(
    store: MongoStore,
) -> None:
    deliveries = DeliveryRepository(store)
    command = uuid4()
    await deliveries.record_attempt(command_id=command, user_id="U1", method=DeliveryMethod.REPLY)
    # A gateway killed inside its outcome transaction: mongod keeps it open (and its documents
    # locked) for a minute.
    async with store.client.start_session() as session:
        await session.start_transaction()
        await deliveries.record_outcome(
            Tx(store, session),
            command_id=command,
            method=DeliveryMethod.REPLY,
            outcome=DeliveryOutcome.SENT,
            line_request_id="r1",
        )

        # The restarted gateway records its retry before sending: at once, not in a minute.
        await asyncio.wait_for(
            deliveries.record_attempt(
                command_id=command, user_id="U1", method=DeliveryMethod.REPLY
            ),
            timeout=5,
        )

        await session.abort_transaction()
    found = await deliveries.get(command)
    assert found is not None
    assert (found.method, found.outcome) == (DeliveryMethod.REPLY, None)


async def test_a_replay_after_a_refusal_starts_afresh_then_keeps_its_own_attempt(
    store: MongoStore,
) -> None:
    deliveries = DeliveryRepository(store)
    command = uuid4()
    await deliveries.record_attempt(command_id=command, user_id="U1", method=DeliveryMethod.PUSH)

    async def refuse(tx: Tx) -> None:
        await deliveries.record_failure(tx, command_id=command, error="LINE API 400")

    await store.transaction(refuse)
    refused = await deliveries.get(command)
    assert refused is not None
    assert refused.outcome is DeliveryOutcome.FAILED  # the attempt before the refusal is void

    # The replay from the dead-letter topic tries again; a crash now must see that attempt.
    await deliveries.record_attempt(command_id=command, user_id="U1", method=DeliveryMethod.REPLY)
    replaying = await deliveries.get(command)
    assert replaying is not None
    assert (replaying.method, replaying.outcome) == (DeliveryMethod.REPLY, None)
