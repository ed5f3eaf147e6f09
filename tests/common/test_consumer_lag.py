"""Consumer lag per topic, measured on a real broker against a group's committed offsets."""

from __future__ import annotations

from uuid import uuid4

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError
from aiokafka.structs import OffsetAndMetadata

from services.common.kafka.lag import ConsumerLagSampler, lag_by_topic
from services.common.kafka.topics import TopicSpec, ensure_topics
from services.common.metrics import CONSUMER_LAG
from tests.fixtures.kafka import produce
from tests.fixtures.waiting import eventually
from tools.devstack.stack import Stack


def test_lag_counts_uncommitted_messages_and_never_goes_negative() -> None:
    a0, a1, b0 = TopicPartition("a", 0), TopicPartition("a", 1), TopicPartition("b", 0)
    lag = lag_by_topic(
        committed={a0: 7, a1: -1, b0: 12},
        beginning={a0: 0, a1: 4, b0: 0},
        end={a0: 10, a1: 9, b0: 10},  # b0: committed past a truncated end
    )
    # a0: 3 left; a1: never committed, so everything still retained (9 - 4); b0: none.
    assert lag == {"a": 8, "b": 0}


async def test_the_sampler_reports_a_groups_lag_per_topic(infra: Stack) -> None:
    bootstrap = infra.kafka.bootstrap_servers
    name = f"test.lag.{uuid4().hex[:8]}"
    group = f"lag-{uuid4().hex[:8]}"
    spec = TopicSpec(name=name, key="k", producers=(), consumers=(), purpose="test")
    await ensure_topics(
        bootstrap_servers=bootstrap, partitions=1, replication_factor=1, specs=[spec]
    )
    for n in range(5):
        await produce(bootstrap, name, key=b"k", value=str(n).encode())
    sampler = ConsumerLagSampler(
        group=group, topics=[name], bootstrap_servers=bootstrap, every_seconds=60
    )
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    committer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await admin.start()
    await reader.start()
    await committer.start()

    async def sampled_lag() -> float:
        try:
            await sampler.sample(admin, reader)
        except GroupCoordinatorNotAvailableError:
            return -1  # a fresh broker creates its offsets topic on first use
        return float(CONSUMER_LAG.labels(group, name)._value.get())

    try:
        assert await eventually(sampled_lag, lambda lag: lag >= 0) == 5  # nothing consumed yet

        partition = TopicPartition(name, 0)
        committer.assign([partition])
        await committer.commit({partition: OffsetAndMetadata(3, "")})
        assert await sampled_lag() == 2
    finally:
        await committer.stop()
        await reader.stop()
        await admin.close()
