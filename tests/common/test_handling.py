"""The consumer protocol on a real mongod: the framework opens the transaction, claims, commits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import pytest

from services.common.events import Contract, Envelope, new_event
from services.common.events.registry import contract
from services.common.kafka.handling import (
    REDELIVERED,
    Commit,
    EventHandling,
    PermanentError,
    Redelivered,
    route,
)
from services.common.kafka.topics import LINE_OUTBOUND
from services.common.store import ById, MongoStore, Tx
from services.common.store.processed import PROCESSED_COLLECTION, ProcessedEvents
from tests.fixtures.mongo import CountingStore, scratch_store
from tools.devstack.stack import Stack

GROUP = "test-group"


@contract
class Noted(Contract):
    event_type = "test.noted"

    n: int


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[CountingStore]:
    async with scratch_store(infra, CountingStore) as store:
        yield store


def event(n: int) -> Envelope[Noted]:
    return new_event(Noted(n=n), source="test")


async def notes(store: MongoStore) -> list[int]:
    return sorted(doc["n"] for doc in await store.collection("notes").find().to_list())


async def note(store: MongoStore, tx: Tx, *, n: int) -> None:
    await store.collection("notes").insert_one({"n": n}, session=tx.session)


async def claimed(store: MongoStore, envelope: Envelope[Any]) -> bool:
    return await ProcessedEvents(store).contains(group=GROUP, event_id=envelope.id)


async def test_an_applied_event_changes_state_once_and_a_redelivery_reads_nothing_first(
    store: CountingStore,
) -> None:
    handling = EventHandling(store=store, group=GROUP)
    calls: list[int] = []

    async def on_noted(envelope: Envelope[Noted], tx: Tx) -> None:
        calls.append(envelope.data.n)
        await note(store, tx, n=envelope.data.n)

    first = event(1)
    assert await handling.apply(first, on_noted) == "handled"
    assert await handling.apply(first, on_noted) == "duplicate"
    assert await notes(store) == [1]
    assert await claimed(store, first)
    # The claim comes first in the transaction: the duplicate never reached the handler.
    assert calls == [1]


async def test_a_failed_handler_leaves_neither_its_changes_nor_the_claim(
    store: CountingStore,
) -> None:
    handling = EventHandling(store=store, group=GROUP)

    async def half_done(envelope: Envelope[Noted], tx: Tx) -> None:
        await note(store, tx, n=envelope.data.n)
        raise RuntimeError("MongoDB went away halfway")

    failing = event(2)
    with pytest.raises(RuntimeError):
        await handling.apply(failing, half_done)
    assert await notes(store) == []
    assert not await claimed(store, failing)


async def test_a_decision_is_made_outside_and_committed_with_the_claim(
    store: CountingStore,
) -> None:
    handling = EventHandling(store=store, group=GROUP)
    decided: list[int] = []

    async def on_noted(envelope: Envelope[Noted]) -> Commit:
        # Outside any transaction: this is where a model or LINE would be called.
        assert store.transactions == 0
        decided.append(envelope.data.n)
        return Commit(partial(note, store, n=envelope.data.n))

    first = event(3)
    assert await handling.decide(first, on_noted) == "handled"
    assert await handling.decide(first, on_noted) == "duplicate"
    assert await notes(store) == [3]
    assert store.transactions == 1
    # A redelivery is recognised before deciding, so the outside work is not repeated.
    assert decided == [3]


async def test_a_handler_that_decides_nothing_opens_no_transaction_and_claims_nothing(
    store: CountingStore,
) -> None:
    handling = EventHandling(store=store, group=GROUP)
    seen: list[int] = []

    async def nothing_to_change(envelope: Envelope[Noted]) -> Commit | None:
        seen.append(envelope.data.n)
        return None

    quiet = event(4)
    assert await handling.decide(quiet, nothing_to_change) == "handled"
    assert store.transactions == 0
    assert not await claimed(store, quiet)
    # So a redelivery decides again (which is why such a handler's outside work must be safe
    # to repeat on its own).
    await handling.decide(quiet, nothing_to_change)
    assert seen == [4, 4]


async def test_work_after_the_commit_runs_once_and_never_for_a_duplicate_or_a_failure(
    store: CountingStore,
) -> None:
    handling = EventHandling(store=store, group=GROUP)
    after: list[str] = []

    async def on_noted(envelope: Envelope[Noted], tx: Tx) -> None:
        await note(store, tx, n=envelope.data.n)
        tx.after_commit(partial(after.append, f"sync {envelope.data.n}"))

        async def report() -> None:
            after.append(f"async {envelope.data.n}")

        tx.after_commit(report)
        if envelope.data.n < 0:
            raise RuntimeError("refused after registering")

    done = event(5)
    await handling.apply(done, on_noted)
    await handling.apply(done, on_noted)
    with pytest.raises(RuntimeError):
        await handling.apply(event(-1), on_noted)
    assert after == ["sync 5", "async 5"]


async def test_a_lease_is_held_from_before_the_transaction_until_it_ends(
    store: CountingStore,
) -> None:
    handling = EventHandling(store=store, group=GROUP)
    held: list[str] = []

    @contextlib.asynccontextmanager
    async def lease() -> AsyncIterator[None]:
        assert store.transactions == 0  # taken before the transaction opens
        held.append("taken")
        yield
        held.append("returned")

    async def write(tx: Tx) -> None:
        assert held == ["taken"]
        await note(store, tx, n=6)

    await handling.commit(event(6), Commit(write, lease=lease()))
    assert held == ["taken", "returned"]
    assert await notes(store) == [6]


async def test_a_permanent_refusal_records_its_failure_without_claiming_the_event(
    store: CountingStore,
) -> None:
    handling = EventHandling(store=store, group=GROUP)

    async def refuse(envelope: Envelope[Noted]) -> Commit:
        raise PermanentError("LINE said no", record=Commit(partial(note, store, n=-7)))

    refused = event(7)
    with pytest.raises(PermanentError):
        await handling.decide(refused, refuse)
    assert await notes(store) == [-7]
    # Not claimed: a replay from the dead-letter topic is handled afresh.
    assert not await claimed(store, refused)


class OwnRecords:
    """A handler whose record of an event (keyed by its id) is written only with the claim, so
    its own first read tells a redelivery."""

    def __init__(self, store: MongoStore) -> None:
        self.store = store
        self.outside: list[int] = []  # the outside work (a call to LINE, say), once per decision
        self.both_read = asyncio.Event()
        self.reads = 0
        self.wait_for_both = False

    async def on_noted(self, envelope: Envelope[Noted]) -> Commit | Redelivered:
        found = await self.store.collection("records").find_one({"_id": str(envelope.id)})
        self.reads += 1
        if self.wait_for_both:
            if self.reads == 2:
                self.both_read.set()
            await self.both_read.wait()
        if found is not None:
            return REDELIVERED
        self.outside.append(envelope.data.n)
        return Commit(partial(self.record, envelope=envelope))

    async def record(self, tx: Tx, *, envelope: Envelope[Noted]) -> None:
        await self.store.collection("records").insert_one(
            {"_id": str(envelope.id), "n": envelope.data.n}, session=tx.session
        )


async def test_a_route_that_recognises_its_redeliveries_skips_the_read_of_the_claim(
    store: CountingStore,
) -> None:
    handling = EventHandling(store=store, group=GROUP)
    own = OwnRecords(store)
    selected = route(LINE_OUTBOUND, Noted, decide=own.on_noted, recognises_redeliveries=True)
    first = event(8)
    store.commands.clear()

    assert await handling.handle(selected, first) == "handled"
    # The handler's own read, then the transaction: the claim first, then its record.
    assert store.commands.targets == [
        ("find", "records"),
        ("insert", PROCESSED_COLLECTION),
        ("insert", "records"),
    ]
    assert await claimed(store, first)
    store.commands.clear()

    assert await handling.handle(selected, first) == "duplicate"
    assert store.commands.targets == [("find", "records")]
    assert store.transactions == 1  # none for the redelivery
    assert own.outside == [8]


async def test_other_routes_still_read_the_claim_before_deciding(store: CountingStore) -> None:
    handling = EventHandling(store=store, group=GROUP)
    own = OwnRecords(store)
    first = event(9)
    await handling.handle(route(LINE_OUTBOUND, Noted, decide=own.on_noted), first)
    store.commands.clear()

    assert await handling.handle(route(LINE_OUTBOUND, Noted, decide=own.on_noted), first) == (
        "duplicate"
    )
    assert store.commands.targets == [("find", PROCESSED_COLLECTION)]
    assert own.reads == 1  # the handler was not called again


async def test_two_deliveries_decided_at_once_are_still_told_apart_by_the_claim(
    store: CountingStore,
) -> None:
    handling = EventHandling(store=store, group=GROUP)
    own = OwnRecords(store)
    own.wait_for_both = True  # both read "not finished" before either commits
    selected = route(LINE_OUTBOUND, Noted, decide=own.on_noted, recognises_redeliveries=True)
    twice = event(10)

    outcomes = await asyncio.gather(
        handling.handle(selected, twice), handling.handle(selected, twice)
    )

    assert sorted(outcomes) == ["duplicate", "handled"]
    assert own.outside == [10, 10]  # both decided (a handler's outside work must be safe twice)
    assert await store.collection("records").count_documents({}) == 1


class ReadsTheMark:
    """A handler whose first read fetches the event's processed mark with its own document (the
    senior Dai-chan answers, say), in one command: found means handled."""

    def __init__(self, store: MongoStore) -> None:
        self.store = store
        self.outside: list[int] = []

    async def on_noted(self, envelope: Envelope[Noted]) -> Commit | Redelivered:
        mark, _ = await self.store.find_by_ids(
            [ProcessedEvents.mark(group=GROUP, event_id=envelope.id), ById("notes", "state")]
        )
        if mark is not None:
            return REDELIVERED
        self.outside.append(envelope.data.n)
        return Commit(partial(note, self.store, n=envelope.data.n))


async def test_a_handler_can_read_the_processed_mark_with_its_own_documents(
    store: CountingStore,
) -> None:
    handling = EventHandling(store=store, group=GROUP)
    reads = ReadsTheMark(store)
    selected = route(LINE_OUTBOUND, Noted, decide=reads.on_noted, recognises_redeliveries=True)
    first = event(11)
    store.commands.clear()

    assert await handling.handle(selected, first) == "handled"
    assert store.commands.targets[0] == ("aggregate", PROCESSED_COLLECTION)
    store.commands.clear()

    assert await handling.handle(selected, first) == "duplicate"
    assert store.commands.targets == [("aggregate", PROCESSED_COLLECTION)]
    assert reads.outside == [11]
    assert await notes(store) == [11]
    # The mark is the group's own: another group has not handled the event.
    [other] = await store.find_by_ids([ProcessedEvents.mark(group="other", event_id=first.id)])
    assert other is None


def test_only_a_decide_handler_can_recognise_its_own_redeliveries() -> None:
    async def on_noted(envelope: Envelope[Noted], tx: Tx) -> None:
        pass

    with pytest.raises(TypeError, match="decide"):
        route(LINE_OUTBOUND, Noted, apply=on_noted, recognises_redeliveries=True)  # type: ignore[call-overload]
