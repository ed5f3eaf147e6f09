"""Consumer lag: how far a service's consumer group is behind the end of each topic it reads.

Lag is what tells a growing backlog from a quiet day, so every consuming service samples its own
group's committed offsets against the topics' end offsets and exports the sum per topic. Every
instance of a service reports the same group-wide figure; dashboards aggregate with `max`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.common.logging import get_logger
from services.common.metrics import CONSUMER_LAG

log = get_logger(__name__)


def lag_by_topic(
    *,
    committed: dict[TopicPartition, int],
    beginning: dict[TopicPartition, int],
    end: dict[TopicPartition, int],
) -> dict[str, int]:
    """Messages not yet committed by the group, per topic.

    A partition the group never committed starts from its beginning (the consumers reset to
    "earliest"), so everything still retained there counts as lag.
    """
    lag: dict[str, int] = {}
    for partition, last in end.items():
        position = committed.get(partition, -1)
        if position < 0:
            position = beginning.get(partition, 0)
        lag[partition.topic] = lag.get(partition.topic, 0) + max(last - position, 0)
    return lag


class ConsumerLagSampler:
    def __init__(
        self,
        *,
        group: str,
        topics: Sequence[str],
        bootstrap_servers: str,
        every_seconds: float,
    ) -> None:
        self._group = group
        self._topics = list(topics)
        self._bootstrap_servers = bootstrap_servers
        self._every = every_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._topics:
            self._task = asyncio.create_task(self._run(), name=f"lag-{self._group}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap_servers)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap_servers, group_id=None, enable_auto_commit=False
        )
        try:
            await admin.start()
            await consumer.start()
            while True:
                try:
                    await self.sample(admin, consumer)
                except Exception as exc:
                    # The figure goes stale rather than wrong; the next round tries again.
                    log.warning("could not sample consumer lag", error=type(exc).__name__)
                await asyncio.sleep(self._every)
        finally:
            await consumer.stop()
            await admin.close()

    async def sample(self, admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> None:
        # Described every round, so partitions added later are counted too.
        partitions = [
            TopicPartition(described["topic"], partition["partition"])
            for described in await admin.describe_topics(self._topics)
            if not described.get("error_code")
            for partition in described["partitions"]
        ]
        if not partitions:
            return
        offsets = await admin.list_consumer_group_offsets(self._group, partitions=partitions)
        committed = {tp: meta.offset for tp, meta in offsets.items()}
        beginning = await consumer.beginning_offsets(partitions)
        end = await consumer.end_offsets(partitions)
        for topic, lag in lag_by_topic(committed=committed, beginning=beginning, end=end).items():
            CONSUMER_LAG.labels(self._group, topic).set(lag)
