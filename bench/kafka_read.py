"""Reading what a run left on Kafka topics, from their start to their end at the time of the call.

The benches count on Kafka what the stack did (deliveries, produced events); each read takes every
partition without a consumer group and stops at the end offsets seen once assigned.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer


async def records_to_end(bootstrap_servers: str, topics: Sequence[str]) -> AsyncIterator[Any]:
    """Every record of `topics` up to their current end, partition by partition in offset order."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        await _wait_for_assignment(consumer, topics)
        assigned = list(consumer.assignment())
        end = await consumer.end_offsets(assigned)
        while [tp for tp in assigned if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    yield record
    finally:
        await consumer.stop()


async def _wait_for_assignment(consumer: AIOKafkaConsumer, topics: Sequence[str]) -> None:
    # Without a group the consumer takes every partition, once the first metadata has come.
    for _ in range(100):
        expected = sum(len(consumer.partitions_for_topic(topic) or ()) for topic in topics)
        if expected and len(consumer.assignment()) >= expected:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the partitions of {', '.join(topics)} were not assigned")
