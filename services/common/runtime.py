"""What a running service holds: its store, producer, outbox relay and stream processor.

`platform_runtime` starts them in dependency order and stops them in reverse, so a service's
lifespan reads as: open the runtime, build the domain parts on it, consume, serve.
Shutdown order matters for "nothing lost": consumers stop first (in-flight work finishes or stays
unacked for redelivery), then the relay sends what those last transactions committed, then the
producer flushes, then MongoDB closes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from services.common.kafka.handling import Route
from services.common.kafka.lag import ConsumerLagSampler
from services.common.kafka.producer import create_producer
from services.common.kafka.streams import StreamProcessor
from services.common.kafka.topics import ensure_topics
from services.common.logging import configure_logging, get_logger
from services.common.settings import ServiceSettings
from services.common.store.mongo import CollectionIndexes, MongoStore
from services.common.store.outbox import (
    LEASES_COLLECTION,
    OutboxLanes,
    OutboxRelays,
    outbox_indexes,
)
from services.common.store.processed import ProcessedEvents

log = get_logger(__name__)

READY_CHECK_TIMEOUT_SECONDS = 2.0
# Most services: one outbox lane, one relay under one lease across their instances.
ONE_LANE = OutboxLanes()


@dataclass
class Runtime:
    service: str
    settings: ServiceSettings
    store: MongoStore
    producer: AIOKafkaProducer
    relay: OutboxRelays
    processors: list[StreamProcessor] = field(default_factory=list)

    @contextlib.asynccontextmanager
    async def consuming(self, routes: Sequence[Route[Any]]) -> AsyncIterator[StreamProcessor]:
        settings = self.settings
        processor = StreamProcessor(
            group=self.service,
            instance_id=settings.instance_id,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            store=self.store,
            producer=self.producer,
            routes=routes,
            on_commit=self.relay.notify,
            max_in_flight=settings.consumer_max_in_flight,
            max_attempts=settings.consumer_max_attempts,
            backoff_seconds=settings.consumer_retry_backoff_seconds,
            backoff_max_seconds=settings.consumer_retry_backoff_max_seconds,
        )
        await processor.start()
        self.processors.append(processor)
        lag = ConsumerLagSampler(
            group=self.service,
            topics=processor.topics,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            every_seconds=settings.consumer_lag_sample_seconds,
        )
        lag.start()
        try:
            yield processor
        finally:
            await lag.stop()
            await processor.stop(grace_seconds=settings.shutdown_grace_seconds)
            self.processors.remove(processor)

    @contextlib.asynccontextmanager
    async def serving(self, app: FastAPI, routes: Sequence[Route[Any]] = ()) -> AsyncIterator[None]:
        """Consume `routes` and expose this runtime to the app's endpoints while serving."""
        async with self.consuming(routes):
            app.state.runtime = self
            try:
                yield
            finally:
                app.state.runtime = None

    async def readiness(self) -> dict[str, str]:
        """Each dependency's state: "ok" or a short English reason."""
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(self.store.ping(), READY_CHECK_TIMEOUT_SECONDS)
            checks["mongodb"] = "ok"
        except Exception as exc:
            checks["mongodb"] = f"unreachable: {type(exc).__name__}"
        try:
            await asyncio.wait_for(
                self.producer.client.fetch_all_metadata(), READY_CHECK_TIMEOUT_SECONDS
            )
            checks["kafka"] = "ok"
        except Exception as exc:
            checks["kafka"] = f"unreachable: {type(exc).__name__}"
        for processor in self.processors:
            checks[f"consumer:{processor.group}"] = "ok" if processor.is_running() else "stopped"
        return checks


async def _wait_for_mongodb(store: MongoStore, *, attempts: int = 30) -> None:
    for attempt in range(1, attempts + 1):
        try:
            await store.ping()
            return
        except Exception:
            if attempt == attempts:
                raise
            await asyncio.sleep(1.0)


@contextlib.asynccontextmanager
async def platform_runtime(
    *,
    service: str,
    settings: ServiceSettings,
    indexes: Sequence[CollectionIndexes] = (),
    outbox_lanes: OutboxLanes = ONE_LANE,
) -> AsyncIterator[Runtime]:
    configure_logging(service=service, level=settings.log_level, fmt=settings.log_format)
    # Named per process, so a restarted instance can tell its earlier life's sessions.
    instance = f"{service}/{settings.instance_id}/"
    store = MongoStore(
        uri=settings.mongodb_uri,
        database=settings.mongodb_database,
        app_name=f"{instance}{uuid4().hex[:8]}",
        outbox_lane=outbox_lanes.writes,
    )
    try:
        await _wait_for_mongodb(store)
        # Before consuming: redelivered work must not wait for locks a killed process holds.
        await store.end_abandoned_transactions(app_prefix=instance)
        await store.ensure_indexes(
            [
                *outbox_indexes(timedelta(days=settings.outbox_published_retention_days)),
                ProcessedEvents.indexes(timedelta(days=settings.processed_event_retention_days)),
                CollectionIndexes(LEASES_COLLECTION),
                *indexes,
            ]
        )
        created = await ensure_topics(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            partitions=settings.kafka_topic_partitions,
            replication_factor=settings.kafka_replication_factor,
        )
        if created:
            log.info("created kafka topics", topics=created)
        producer = create_producer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            client_id=f"{service}-{settings.instance_id}",
        )
        await producer.start()
        try:
            relay = OutboxRelays(
                store=store, producer=producer, owner=settings.instance_id, lanes=outbox_lanes
            )
            relay.start()
            try:
                yield Runtime(
                    service=service,
                    settings=settings,
                    store=store,
                    producer=producer,
                    relay=relay,
                )
            finally:
                await relay.stop()
        finally:
            await producer.stop()
    finally:
        await store.close()
    log.info("stopped cleanly")
