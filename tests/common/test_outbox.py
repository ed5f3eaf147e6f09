"""The transactional outbox on real MongoDB and Kafka: committed events go out, in order, once
the transaction commits; aborted ones never do; one relay per database at a time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from bson import ObjectId
from prometheus_client import REGISTRY
from pymongo import AsyncMongoClient, monitoring

from services.common.events import Contract, new_event
from services.common.events.registry import contract
from services.common.kafka.producer import create_producer
from services.common.kafka.topics import TopicSpec, ensure_topics
from services.common.store import MongoStore, Tx
from services.common.store.mongo import OUTBOX_COLLECTION, outbox_document
from services.common.store.outbox import (
    LEASES_COLLECTION,
    PARKED_COLLECTION,
    Lease,
    OutboxLanes,
    OutboxRelay,
    OutboxRelays,
    lease_name,
    outbox_indexes,
)
from services.common.time import utcnow
from tests.fixtures.kafka import wait_for_records
from tests.fixtures.waiting import eventually
from tools.devstack.stack import Stack


@contract
class Counted(Contract):
    event_type = "test.counted"

    n: int


@pytest.fixture
async def parts(infra: Stack) -> AsyncIterator[tuple[MongoStore, AIOKafkaProducer, TopicSpec]]:
    topic = TopicSpec(
        name=f"test.outbox.{uuid4().hex[:8]}", key="k", producers=(), consumers=(), purpose="t"
    )
    await ensure_topics(
        bootstrap_servers=infra.kafka.bootstrap_servers,
        partitions=3,
        replication_factor=1,
        specs=[topic],
    )
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid4().hex[:10]}", app_name="test")
    await store.ensure_indexes(outbox_indexes(timedelta(days=1)))
    producer = create_producer(bootstrap_servers=infra.kafka.bootstrap_servers, client_id="t")
    await producer.start()
    try:
        yield store, producer, topic
    finally:
        await producer.stop()
        await store.drop_database()
        await store.close()


def lane_store(infra: Stack, store: MongoStore, lane: str | None) -> MongoStore:
    """Another process's client on the same database, whose transactions write `lane`."""
    return MongoStore(
        uri=infra.mongo.uri, database=store.db.name, app_name=f"test-{lane}", outbox_lane=lane
    )


async def emit_all(store: MongoStore, topic: TopicSpec, key: str, numbers: range) -> None:
    async def work(tx: Tx) -> None:
        for n in numbers:
            await tx.emit(topic=topic, key=key, event=new_event(Counted(n=n), source="test"))

    await store.transaction(work)


async def test_committed_events_are_relayed_in_order(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec], infra: Stack
) -> None:
    store, producer, topic = parts
    relay = OutboxRelay(store=store, producer=producer, owner="a", batch_size=7)
    relay.start()
    try:
        for start in range(0, 30, 10):
            await emit_all(store, topic, "senior-1", range(start, start + 10))
        records = await wait_for_records(
            infra.kafka.bootstrap_servers, topic.name, key=b"senior-1", count=30
        )
        assert [json.loads(r.value)["data"]["n"] for r in records] == list(range(30))
        pending = await eventually(
            lambda: store.collection(OUTBOX_COLLECTION).count_documents({"published_at": None}),
            lambda count: count == 0,
        )
        assert pending == 0
    finally:
        await relay.stop()


async def test_an_entry_committed_first_is_relayed_first_whatever_process_made_its_id(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec],
    infra: Stack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two webhook instances write one lane. Within a second their ObjectIds sort by each
    process's random bytes, not by time: a senior's message committed first by one instance and
    their next committed a moment later by the other were relayed in the wrong order whenever
    both waited for the relay together (a MongoDB failover). The relay orders by commit now."""
    store, producer, topic = parts
    second = int(utcnow().timestamp())
    # The earlier commit's process happens to have the larger random bytes.
    made_by = iter([f"{second:08x}ffffffffff000001", f"{second:08x}0000000000000001"])
    monkeypatch.setattr("services.common.store.mongo.ObjectId", lambda: ObjectId(next(made_by)))
    await emit_all(store, topic, "senior-1", range(0, 1))
    await emit_all(lane_store(infra, store, None), topic, "senior-1", range(1, 2))
    entries = await store.collection(OUTBOX_COLLECTION).find().sort("_id", 1).to_list()
    assert [json.loads(e["value"])["data"]["n"] for e in entries] == [1, 0]  # ids: wrong order

    relay = OutboxRelay(store=store, producer=producer, owner="a")
    assert await relay.relay_once() == 2
    records = await wait_for_records(
        infra.kafka.bootstrap_servers, topic.name, key=b"senior-1", count=2
    )
    assert [json.loads(r.value)["data"]["n"] for r in records] == [0, 1]


async def test_entries_from_before_the_commit_stamp_go_first_and_each_body_keeps_its_order(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec], infra: Stack
) -> None:
    store, producer, topic = parts
    # An entry an older release wrote (no stamp) is older than anything written now.
    older = outbox_document(topic=topic, key="k", event=new_event(Counted(n=0), source="test"))
    await store.collection(OUTBOX_COLLECTION).insert_one(older)
    await emit_all(store, topic, "k", range(1, 6))
    stamped = store.collection(OUTBOX_COLLECTION).find({"cluster_time": {"$exists": True}})
    assert [e["position"] for e in await stamped.to_list()] == [0, 1, 2, 3, 4]
    relay = OutboxRelay(store=store, producer=producer, owner="a")
    assert await relay.relay_once() == 6
    records = await wait_for_records(infra.kafka.bootstrap_servers, topic.name, key=b"k", count=6)
    assert [json.loads(r.value)["data"]["n"] for r in records] == list(range(6))


async def test_an_aborted_transaction_emits_nothing(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec],
) -> None:
    store, _producer, topic = parts

    async def work(tx: Tx) -> None:
        await tx.emit(topic=topic, key="k", event=new_event(Counted(n=1), source="test"))
        raise RuntimeError("the state change failed")

    with pytest.raises(RuntimeError):
        await store.transaction(work)
    assert await store.collection(OUTBOX_COLLECTION).count_documents({}) == 0


async def test_only_the_lease_holder_relays_and_a_stale_lease_is_taken_over(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec],
) -> None:
    store, _producer, _topic = parts
    first = Lease(store, name="relay", owner="a", ttl=timedelta(seconds=30))
    second = Lease(store, name="relay", owner="b", ttl=timedelta(seconds=30))
    assert await first.acquire_or_renew()
    assert not await second.acquire_or_renew()
    assert await first.acquire_or_renew()  # renewing your own lease works

    expired = Lease(store, name="relay2", owner="a", ttl=timedelta(seconds=-1))
    assert await expired.acquire_or_renew()
    assert await Lease(
        store, name="relay2", owner="b", ttl=timedelta(seconds=30)
    ).acquire_or_renew()


async def test_stop_relays_what_was_committed_before_it(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec], infra: Stack
) -> None:
    store, producer, topic = parts
    # A relay that would otherwise sleep for a minute between rounds.
    relay = OutboxRelay(store=store, producer=producer, owner="a", idle_poll_seconds=60)
    relay.start()
    await relay.stop()  # stops its own rounds ...
    await emit_all(store, topic, "late", range(3))
    relay = OutboxRelay(store=store, producer=producer, owner="a", idle_poll_seconds=60)
    relay.start()
    await relay.stop()  # ... and the final round on stop sends what is committed
    records = await wait_for_records(
        infra.kafka.bootstrap_servers, topic.name, key=b"late", count=3
    )
    assert len(records) == 3


async def test_an_entry_kafka_can_never_take_is_parked_and_the_rest_go_on(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec], infra: Stack
) -> None:
    """One record over Kafka's 1 MiB limit used to fail every round and hold back every entry
    behind it; it is moved aside whole and counted, and the entries around it are relayed."""
    store, producer, topic = parts
    await emit_all(store, topic, "senior-1", range(0, 2))
    oversized = outbox_document(
        topic=topic, key="senior-1", event=new_event(Counted(n=-1), source="test")
    )
    oversized["value"] = b"x" * (1024 * 1024 + 1)
    await store.collection(OUTBOX_COLLECTION).insert_one(oversized)
    await emit_all(store, topic, "senior-1", range(2, 4))
    parked_before = _sample("sslp_outbox_parked_total", topic=topic.name, reason="too_large")

    relay = OutboxRelay(store=store, producer=producer, owner="a")
    relay.start()
    try:
        records = await wait_for_records(
            infra.kafka.bootstrap_servers, topic.name, key=b"senior-1", count=4
        )
        assert [json.loads(r.value)["data"]["n"] for r in records] == [0, 1, 2, 3]
        pending = await eventually(
            lambda: store.collection(OUTBOX_COLLECTION).count_documents({"published_at": None}),
            lambda count: count == 0,
        )
        assert pending == 0
    finally:
        await relay.stop()
    [parked] = await store.collection(PARKED_COLLECTION).find({}).to_list()
    assert parked["_id"] == oversized["_id"]
    assert parked["event_id"] == oversized["event_id"]
    assert parked["reason"] == "too_large"
    assert parked["size_bytes"] == len(oversized["value"])
    assert parked["value"] == oversized["value"]  # kept whole for a person to look at
    after = _sample("sslp_outbox_parked_total", topic=topic.name, reason="too_large")
    assert after == parked_before + 1
    assert _sample("sslp_outbox_parked_waiting") >= 1


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def _failed_commands(store: MongoStore) -> int:
    """How many commands mongod has failed since it started (DuplicateKey errors included)."""
    status: dict[str, Any] = await store.client.admin.command("serverStatus")
    return sum(
        int(c.get("failed", 0))
        for c in status["metrics"]["commands"].values()
        if isinstance(c, dict)
    )


async def test_waiting_for_a_lease_someone_else_holds_writes_nothing_and_fails_nothing(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec],
) -> None:
    """The old upsert tried to insert a twin of a held lease and failed on the unique _id: a
    DuplicateKey error that mongod logged every round of every waiting relay."""
    store, _producer, _topic = parts
    holder = Lease(store, name="busy", owner="a", ttl=timedelta(seconds=30))
    waiter = Lease(store, name="busy", owner="b", ttl=timedelta(seconds=30))
    assert await holder.acquire_or_renew()
    before = await _failed_commands(store)
    for _ in range(5):
        assert not await waiter.acquire_or_renew()
    assert await _failed_commands(store) == before
    lease = await store.collection(LEASES_COLLECTION).find_one({"_id": "busy"})
    assert lease is not None
    assert lease["owner"] == "a"


async def test_each_lane_is_relayed_by_its_own_relay_under_its_own_lease(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec], infra: Stack
) -> None:
    """The gateway's webhook and sender processes each relay what they wrote, at the same time."""
    store, producer, topic = parts
    webhook_store = lane_store(infra, store, "webhook")
    sender_store = lane_store(infra, store, "sender")
    webhook = OutboxRelay(store=store, producer=producer, owner="w", lane="webhook")
    sender = OutboxRelay(store=store, producer=producer, owner="s", lane="sender")
    webhook.start()
    sender.start()
    try:
        await emit_all(webhook_store, topic, "from-webhook", range(5))
        await emit_all(sender_store, topic, "from-sender", range(5))
        for key in (b"from-webhook", b"from-sender"):
            records = await wait_for_records(
                infra.kafka.bootstrap_servers, topic.name, key=key, count=5
            )
            assert [json.loads(r.value)["data"]["n"] for r in records] == list(range(5))
        leases = {
            lease["_id"]: lease["owner"]
            async for lease in store.collection(LEASES_COLLECTION).find({})
        }
        assert leases == {lease_name("webhook"): "w", lease_name("sender"): "s"}
        lanes = await store.collection(OUTBOX_COLLECTION).distinct("lane")
        assert sorted(lanes) == ["sender", "webhook"]
    finally:
        await webhook.stop()
        await sender.stop()
        await webhook_store.close()
        await sender_store.close()


async def test_a_lane_whose_relay_died_is_drained_by_the_other_process_then_handed_back(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec], infra: Stack
) -> None:
    """kill -9 of the sender: its lease stays until it expires; the webhook's standby then sends
    what the sender committed, and lets the lease go so the sender takes its lane back."""
    store, producer, topic = parts
    sender_store = lane_store(infra, store, "sender")
    await emit_all(sender_store, topic, "orphaned", range(4))
    await store.collection(LEASES_COLLECTION).insert_one(
        {
            "_id": lease_name("sender"),
            "owner": "killed",
            "expires_at": utcnow() - timedelta(seconds=1),
        }
    )
    relays = OutboxRelays(
        store=store,
        producer=producer,
        owner="w",
        lanes=OutboxLanes(writes="webhook", relays=("webhook",), standby=("sender",)),
    )
    relays.start()
    try:
        records = await wait_for_records(
            infra.kafka.bootstrap_servers, topic.name, key=b"orphaned", count=4
        )
        assert [json.loads(r.value)["data"]["n"] for r in records] == list(range(4))
        lease = await eventually(
            lambda: store.collection(LEASES_COLLECTION).find_one({"_id": lease_name("sender")}),
            lambda found: found is None,
        )
        assert lease is None  # handed back: the sender's relay takes it when it starts
        returning = Lease(store, name=lease_name("sender"), owner="s", ttl=timedelta(seconds=15))
        assert await returning.acquire_or_renew()
    finally:
        await relays.stop()
        await sender_store.close()


class LeaseCommands(monitoring.CommandListener):
    """The commands the driver sends to the `leases` collection."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command.get(event.command_name) == LEASES_COLLECTION:
            self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_a_relay_renews_its_lease_on_a_timer_not_every_round(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec], infra: Stack
) -> None:
    """Each commit wakes a round; renewing in every round was a round trip per webhook group."""
    store, producer, topic = parts
    listening = MongoStore(uri=infra.mongo.uri, database=store.db.name, app_name="listening")
    commands = LeaseCommands()
    listening.client = AsyncMongoClient(infra.mongo.uri, tz_aware=True, event_listeners=[commands])
    listening.db = listening.client[store.db.name]
    # A lease of ten minutes is renewed after 200 s: none of this test's rounds renews it.
    relay = OutboxRelay(
        store=listening, producer=producer, owner="a", lease_ttl=timedelta(minutes=10)
    )
    relay.start()
    try:
        for n in range(8):  # one commit, one round, one after another
            await emit_all(store, topic, "rounds", range(n, n + 1))
            published = await eventually(
                lambda: store.collection(OUTBOX_COLLECTION).count_documents(
                    {"published_at": {"$ne": None}}
                ),
                lambda count, n=n: count == n + 1,  # type: ignore[misc]
            )
            assert published == n + 1
    finally:
        await relay.stop()
        await listening.close()
    # The first round takes the lease (a renewal that matches nothing, a read, the insert); the
    # final round on stop renews it once more and releases it.
    assert commands.names == ["update", "find", "insert", "update", "delete"]


async def test_a_commit_by_another_process_wakes_only_its_lanes_relay(
    parts: tuple[MongoStore, AIOKafkaProducer, TopicSpec], infra: Stack
) -> None:
    """A relay that would otherwise poll once a minute is woken by the change stream on its lane
    (the stream keeps only the resume token and matches the lane: the webhook's events must not
    wait for a poll)."""
    store, producer, topic = parts
    other_process = lane_store(infra, store, "webhook")
    webhook = OutboxRelay(
        store=store, producer=producer, owner="w", lane="webhook", idle_poll_seconds=60
    )
    webhook.start()
    try:
        await asyncio.wait_for(webhook.watching.wait(), timeout=20)
        await eventually(
            lambda: store.collection(LEASES_COLLECTION).count_documents({}),
            lambda count: count == 1,
        )  # its first round is done: the next one waits for a wake-up or a minute
        await emit_all(other_process, topic, "woken", range(3))
        records = await wait_for_records(
            infra.kafka.bootstrap_servers, topic.name, key=b"woken", count=3, timeout=30
        )
        assert [json.loads(r.value)["data"]["n"] for r in records] == [0, 1, 2]
    finally:
        await webhook.stop()
        await other_process.close()
