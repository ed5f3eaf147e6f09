"""The stream processor on a real broker and mongod: idempotence, retries, dead letters, redelivery.

Each test uses its own topic, consumer group and database, so tests never see each other's data.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.common.events import Contract, Envelope, encode_event, new_event
from services.common.events.registry import contract
from services.common.kafka.handling import Commit, PermanentError, route
from services.common.kafka.producer import create_producer
from services.common.kafka.streams import StreamProcessor
from services.common.kafka.topics import TopicSpec, ensure_topics
from services.common.store import MongoStore, Tx
from services.common.store.outbox import outbox_indexes
from services.common.store.processed import ProcessedEvents
from tests.fixtures.kafka import produce, read_topic, wait_for_records
from tests.fixtures.waiting import eventually
from tools.devstack.stack import Stack


@contract
class Ping(Contract):
    event_type = "test.ping"

    n: int
    behaviour: str = "ok"  # ok | fail_twice | fail_always | permanent | block


@dataclass
class Harness:
    bootstrap: str
    topic: TopicSpec
    store: MongoStore
    producer: AIOKafkaProducer
    handled: list[int]
    attempts: dict[int, int]
    unblock: asyncio.Event

    def processor(self, group: str, *, instance_id: str = "test") -> StreamProcessor:
        return StreamProcessor(
            group=group,
            instance_id=instance_id,
            bootstrap_servers=self.bootstrap,
            store=self.store,
            producer=self.producer,
            routes=[route(self.topic, Ping, decide=self.on_ping)],
            on_commit=lambda: None,
            max_in_flight=50,
            max_attempts=3,
            backoff_seconds=0.05,
            backoff_max_seconds=0.2,
        )

    async def on_ping(self, envelope: Envelope[Ping]) -> Commit:
        ping = envelope.data
        self.attempts[ping.n] = self.attempts.get(ping.n, 0) + 1
        if ping.behaviour == "fail_always" or (
            ping.behaviour == "fail_twice" and self.attempts[ping.n] <= 2
        ):
            raise RuntimeError(f"failure {self.attempts[ping.n]}")
        if ping.behaviour == "permanent":
            raise PermanentError("cannot ever work")
        if ping.behaviour == "block":
            await self.unblock.wait()

        return Commit(partial(self.record, n=ping.n))

    async def record(self, tx: Tx, *, n: int) -> None:
        await self.store.collection("pings").insert_one({"n": n}, session=tx.session)
        tx.after_commit(partial(self.handled.append, n))

    async def send(
        self, ping: Ping, *, key: str = "k", envelope_id: object = None
    ) -> Envelope[Ping]:
        event = new_event(ping, source="test", event_id=envelope_id)  # type: ignore[arg-type]
        await produce(self.bootstrap, self.topic.name, key=key.encode(), value=encode_event(event))
        return event

    async def stored(self) -> list[int]:
        docs = await self.store.collection("pings").find().to_list()
        return sorted(doc["n"] for doc in docs)


@contextlib.asynccontextmanager
async def make_harness(infra: Stack, *, partitions: int) -> AsyncIterator[Harness]:
    name = f"test.{uuid4().hex[:8]}"
    topic = TopicSpec(name=name, key="k", producers=(), consumers=(), purpose="test")
    await ensure_topics(
        bootstrap_servers=infra.kafka.bootstrap_servers,
        partitions=partitions,
        replication_factor=1,
        specs=[topic],
    )
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid4().hex[:10]}", app_name="test")
    await store.ensure_indexes(outbox_indexes(timedelta(days=1)))
    producer = create_producer(bootstrap_servers=infra.kafka.bootstrap_servers, client_id="test")
    await producer.start()
    try:
        yield Harness(
            bootstrap=infra.kafka.bootstrap_servers,
            topic=topic,
            store=store,
            producer=producer,
            handled=[],
            attempts={},
            unblock=asyncio.Event(),
        )
    finally:
        await producer.stop()
        await store.drop_database()
        await store.close()


@pytest.fixture
async def harness(infra: Stack) -> AsyncIterator[Harness]:
    async with make_harness(infra, partitions=3) as made:
        yield made


@pytest.fixture
async def one_partition(infra: Stack) -> AsyncIterator[Harness]:
    """Every message on one partition, so offsets of different keys interleave."""
    async with make_harness(infra, partitions=1) as made:
        yield made


async def committed_offset(harness: Harness, group: str) -> int | None:
    admin = AIOKafkaAdminClient(bootstrap_servers=harness.bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    found = offsets.get(TopicPartition(harness.topic.name, 0))
    return found.offset if found is not None and found.offset >= 0 else None


async def running(
    processor: StreamProcessor, body: Callable[[], Awaitable[None]], *, grace: float = 5.0
) -> None:
    await processor.start()
    try:
        await body()
    finally:
        await processor.stop(grace_seconds=grace)


async def test_the_same_event_delivered_twice_changes_state_once(harness: Harness) -> None:
    processor = harness.processor(f"g-{uuid4().hex[:6]}")

    async def body() -> None:
        first = await harness.send(Ping(n=1))
        await harness.send(Ping(n=1), envelope_id=first.id)  # a duplicate delivery
        await harness.send(Ping(n=2))
        stored = await eventually(harness.stored, lambda s: s == [1, 2])
        assert stored == [1, 2]
        await asyncio.sleep(0.5)
        assert await harness.stored() == [1, 2]
        assert harness.handled.count(1) == 1

    await running(processor, body)


async def test_poison_goes_to_dead_letters_and_the_consumer_carries_on(harness: Harness) -> None:
    processor = harness.processor(f"g-{uuid4().hex[:6]}")

    async def body() -> None:
        await produce(harness.bootstrap, harness.topic.name, key=b"k", value=b"{not json")
        await harness.send(Ping(n=7))
        assert await eventually(harness.stored, lambda s: s == [7]) == [7]
        dead = await wait_for_records(harness.bootstrap, harness.topic.dlq, key=b"k")
        assert [d.value for d in dead] == [b"{not json"]
        assert dead[0].headers["dlq.reason"] == b"malformed"
        assert dead[0].headers["dlq.source_topic"] == harness.topic.name.encode()

    await running(processor, body)


async def test_transient_failures_are_retried_then_dead_lettered(harness: Harness) -> None:
    processor = harness.processor(f"g-{uuid4().hex[:6]}")

    async def body() -> None:
        await harness.send(Ping(n=1, behaviour="fail_twice"), key="a")
        await harness.send(Ping(n=2, behaviour="fail_always"), key="b")
        await harness.send(Ping(n=3, behaviour="permanent"), key="c")
        await harness.send(Ping(n=4), key="b")  # behind the failing one on the same key
        assert await eventually(harness.stored, lambda s: s == [1, 4]) == [1, 4]
        dead = await eventually(
            lambda: read_topic(harness.bootstrap, harness.topic.dlq), lambda d: len(d) == 2
        )
        reasons = {json.loads(d.value)["data"]["n"]: d.headers for d in dead}
        assert reasons[2]["dlq.reason"] == b"retries_exhausted"
        assert reasons[2]["dlq.attempts"] == b"3"
        assert b"RuntimeError" in reasons[2]["dlq.error"]
        assert reasons[3]["dlq.reason"] == b"permanent"
        assert harness.attempts == {1: 3, 2: 3, 3: 1, 4: 1}

    await running(processor, body)


async def test_unknown_event_types_are_skipped_not_dead_lettered(harness: Harness) -> None:
    processor = harness.processor(f"g-{uuid4().hex[:6]}")

    async def body() -> None:
        raw = json.loads(encode_event(new_event(Ping(n=1), source="t")))
        raw["type"] = "test.from_the_future"
        await produce(
            harness.bootstrap, harness.topic.name, key=b"k", value=json.dumps(raw).encode()
        )
        await harness.send(Ping(n=2))
        assert await eventually(harness.stored, lambda s: s == [2]) == [2]
        assert await read_topic(harness.bootstrap, harness.topic.dlq) == []

    await running(processor, body)


async def test_work_abandoned_at_shutdown_is_redelivered_to_the_next_consumer(
    harness: Harness,
) -> None:
    group = f"g-{uuid4().hex[:6]}"

    async def first_life() -> None:
        await harness.send(Ping(n=1))
        await harness.send(Ping(n=2, behaviour="block"), key="slow")
        await eventually(harness.stored, lambda s: s == [1])
        await eventually(
            lambda: asyncio.sleep(0, result=harness.attempts.get(2, 0)), lambda a: a == 1
        )
        # Leave while n=2 is still in its handler: it must not be committed as done.

    await running(harness.processor(group), first_life, grace=0.2)
    assert await harness.stored() == [1]

    harness.unblock.set()

    async def second_life() -> None:
        assert await eventually(harness.stored, lambda s: s == [1, 2]) == [1, 2]

    await running(harness.processor(group), second_life)
    assert harness.attempts[1] == 1  # the finished one was committed and not redelivered


async def test_processed_ids_are_scoped_to_the_consumer_group(harness: Harness) -> None:
    processed = ProcessedEvents(harness.store)
    event_id = uuid4()

    async def claim(group: str) -> None:
        async def work(tx: Tx) -> None:
            await processed.claim(tx, group=group, event_id=event_id, event_type="t")

        await harness.store.transaction(work)

    await claim("a")
    await claim("b")
    assert await processed.contains(group="a", event_id=event_id)
    assert not await processed.contains(group="c", event_id=event_id)


async def test_a_message_still_in_flight_is_never_committed_past(one_partition: Harness) -> None:
    harness = one_partition
    group = f"g-{uuid4().hex[:6]}"

    async def first_life() -> None:
        # Offset 0 stays in its handler while offsets 1..3 (other seniors) finish: faust on its
        # own commits past 0 here (its head-gap rule), and a crash would then lose it.
        await harness.send(Ping(n=0, behaviour="block"), key="slow")
        await eventually(
            lambda: asyncio.sleep(0, result=harness.attempts.get(0, 0)), lambda a: a == 1
        )
        for n, key in ((1, "a"), (2, "b"), (3, "c")):
            await harness.send(Ping(n=n), key=key)
        assert await eventually(harness.stored, lambda s: s == [1, 2, 3]) == [1, 2, 3]
        # Several commit rounds (one a second) pass while 0 is in flight.
        committed = await eventually(
            lambda: committed_offset(harness, group), lambda c: c is not None and c > 0, timeout=4
        )
        assert committed in (None, 0)

    await running(harness.processor(group), first_life, grace=0.2)
    assert await committed_offset(harness, group) in (None, 0)

    harness.unblock.set()

    async def second_life() -> None:
        assert await eventually(harness.stored, lambda s: s == [0, 1, 2, 3]) == [0, 1, 2, 3]
        assert await eventually(lambda: committed_offset(harness, group), lambda c: c == 4) == 4

    await running(harness.processor(group), second_life)
    # 0 was redelivered (handled in the second life); 1..3 came again but were duplicates.
    assert harness.attempts[0] == 2
    assert harness.handled.count(1) == 1


async def group_members(harness: Harness, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=harness.bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    [described] = response.to_object()["groups"]
    return len(described["members"])


async def test_an_instance_stopped_on_purpose_leaves_its_group_at_once(harness: Harness) -> None:
    # Static members (one group.instance.id per instance) send no LeaveGroup of their own: without
    # the leave by instance id the stopped one stays a member, its partitions unread, until the
    # broker's session timeout (10 s) ends it.
    group = f"g-{uuid4().hex[:6]}"
    first, second = (harness.processor(group, instance_id=i) for i in ("one", "two"))
    await first.start()
    await second.start()
    try:
        assert await eventually(lambda: group_members(harness, group), lambda n: n == 2) == 2
        await first.stop(grace_seconds=1.0)
        assert await group_members(harness, group) == 1
        # The one left takes every partition: a message on each is handled.
        for n in range(6):
            await harness.send(Ping(n=n), key=f"k{n}")
        assert await eventually(harness.stored, lambda s: s == list(range(6))) == list(range(6))
    finally:
        await second.stop(grace_seconds=1.0)


def test_a_member_hears_of_its_groups_rebalance_within_a_second(harness: Harness) -> None:
    # Each instance's leave and each new process's join rebalance the whole group; the others go
    # on only once they heard of it from their next heartbeat's answer (with 3 s: 2-4.5 s per
    # rebalance in the rolling restart, bench/PROFILE_issue13_rolling.md). Kafka's rule of thumb
    # (heartbeat at most a third of the session timeout) is kept with room to spare.
    processor = harness.processor(f"g-{uuid4().hex[:6]}")
    assert processor.heartbeat_interval <= 1.0
    assert processor.session_timeout >= 3 * processor.heartbeat_interval
