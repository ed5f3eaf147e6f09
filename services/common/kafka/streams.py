"""Stream processing with faust-streaming agents, made safe for the platform's delivery rules.

Each service is one faust app (one consumer group) with one agent per subscribed topic. On top of
faust this module adds what the platform promises:

- **Commit after handling.** Agents read with manual acks; a message is acked only when its
  handler finished (or it was dead-lettered), and the ack reaches faust only once every lower
  offset of its partition is acked too (`offsets.py`: faust alone would commit past one message
  still in flight). So the committed offset is the highest contiguous handled one, and a message
  in flight during a crash is redelivered.
- **Idempotence.** Every event id is claimed in `processed_events` in the same MongoDB transaction
  as the state change it causes; a redelivered event is recognised and skipped. The framework
  opens that transaction, not the handler (`handling.py`: the two forms a handler takes).
- **Per-user order with concurrency across users.** Messages are dispatched to lanes by Kafka key:
  one key's messages run one after another, different keys run concurrently (bounded), so one slow
  model call does not hold up every other senior.
- **Bounded retries, then a dead-letter topic** (`<topic>.dlq`) with the error in headers. Poison
  messages (not a valid envelope) go there at once; unknown event types are skipped and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

import faust
import structlog
from aiokafka import AIOKafkaProducer

from services.common.events.envelope import (
    Envelope,
    EventDecodeError,
    UnknownEventType,
    decode_event,
    peek_event_id,
)
from services.common.kafka.handling import EventHandling, PermanentError, Route
from services.common.kafka.membership import leave_group
from services.common.kafka.offsets import ContiguousAcks, OrderedAckTransport
from services.common.logging import get_logger
from services.common.metrics import (
    CONSUMER_IN_FLIGHT,
    DEAD_LETTERS,
    EVENT_HANDLING_RETRIES,
    EVENT_HANDLING_SECONDS,
    EVENTS_CONSUMED,
)
from services.common.store.mongo import MongoStore
from services.common.time import utcnow

log = get_logger(__name__)

Item = TypeVar("Item")


DEAD_LETTER_REASONS = ("malformed", "permanent", "retries_exhausted")

# A crashed member is expired, and its partitions move, after the session timeout.
SESSION_TIMEOUT_SECONDS = 10.0
# A member learns that its group rebalances (another left or joined) only from the answer to its
# next heartbeat, and the coordinator waits for every member before it hands out partitions: so
# each rebalance stops the whole group (aiokafka's protocol is eager) for up to this long before
# it even starts. A rolling restart costs two per instance (its leave, its new process's join),
# each measured at 2-4.5 s with 3 s here (bench/PROFILE_issue13_rolling.md); a heartbeat a second
# costs one small request per member and second.
HEARTBEAT_INTERVAL_SECONDS = 1.0


class KeyedLanes(Generic[Item]):
    """Run items one at a time per key and concurrently across keys, at most `limit` at once."""

    def __init__(self, *, limit: int, process: Callable[[Item], Awaitable[None]]) -> None:
        self._process = process
        self._slots = asyncio.Semaphore(limit)
        self._lanes: dict[Hashable, deque[Item]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = asyncio.Event()
        self.in_flight = 0

    async def submit(self, key: Hashable, item: Item) -> None:
        if self._closed.is_set():
            # Shutting down: never start new work; the message stays unacked and is redelivered.
            await asyncio.Event().wait()
        await self._slots.acquire()
        self.in_flight += 1
        CONSUMER_IN_FLIGHT.inc()
        lane = self._lanes.get(key)
        if lane is not None:
            lane.append(item)
            return
        self._lanes[key] = deque([item])
        task = asyncio.create_task(self._run_lane(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_lane(self, key: Hashable) -> None:
        lane = self._lanes[key]
        while lane:
            try:
                await self._process(lane[0])
            finally:
                lane.popleft()
                self.in_flight -= 1
                CONSUMER_IN_FLIGHT.dec()
                self._slots.release()
        del self._lanes[key]

    async def close(self, *, grace_seconds: float) -> None:
        """Stop taking work, let in-flight items finish for a while, then abandon the rest."""
        self._closed.set()
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=grace_seconds)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if pending:
                log.warning("abandoned in-flight messages at shutdown", lanes=len(pending))


def static_member(group: str, instance_id: str) -> str:
    """The consumer's `group.instance.id`: one per instance, the same across its restarts."""
    return f"{group}-{instance_id}"


class StreamProcessor:
    """One service's consumer group: faust agents, lanes, retries, idempotence, dead letters."""

    def __init__(
        self,
        *,
        group: str,
        instance_id: str,
        bootstrap_servers: str,
        store: MongoStore,
        producer: AIOKafkaProducer,
        routes: Sequence[Route[Any]],
        on_commit: Callable[[], None],
        max_in_flight: int,
        max_attempts: int,
        backoff_seconds: float,
        backoff_max_seconds: float,
    ) -> None:
        self.group = group
        self._bootstrap_servers = bootstrap_servers
        self._member = static_member(group, instance_id)
        self._producer = producer
        self._handling = EventHandling(store=store, group=group, on_commit=on_commit)
        self._max_attempts = max_attempts
        self._backoff_seconds = backoff_seconds
        self._backoff_max_seconds = backoff_max_seconds
        self._routes: dict[tuple[str, str], Route[Any]] = {
            (r.topic.name, r.contract.event_type): r for r in routes
        }
        self._topics = {r.topic.name: r.topic for r in routes}
        self._lanes: KeyedLanes[Any] = KeyedLanes(limit=max_in_flight, process=self._process)
        self._acks: ContiguousAcks[Any] = ContiguousAcks()
        # Every topic's dead-letter series exists from the start at zero, so "no dead letters"
        # reads as 0 on dashboards and alerts can compare against it, instead of "no data".
        for topic in self._topics:
            for reason in DEAD_LETTER_REASONS:
                DEAD_LETTERS.labels(topic, reason)
        self._app = self._create_app(group, instance_id, bootstrap_servers)
        self._started = False
        self._failed = False

    @property
    def topics(self) -> list[str]:
        return sorted(self._topics)

    @property
    def heartbeat_interval(self) -> float:
        """At most how long this member takes to hear that its group rebalances."""
        return float(self._app.conf.broker_heartbeat_interval)

    @property
    def session_timeout(self) -> float:
        return float(self._app.conf.broker_session_timeout)

    def _create_app(self, group: str, instance_id: str, bootstrap_servers: str) -> faust.App:
        # Faust keeps table state in a data folder (default: the working directory); we have no
        # tables, so keep its empty folder out of the way.
        datadir = Path(tempfile.gettempdir()) / "sslp-faust" / f"{group}-{instance_id}"
        datadir.parent.mkdir(parents=True, exist_ok=True)
        app = faust.App(
            group,
            broker=[f"kafka://{server}" for server in bootstrap_servers.split(",")],
            web_enabled=False,
            autodiscover=False,
            store="memory://",
            datadir=str(datadir),
            # Topics are created by `ensure_topics`; faust must not declare its own.
            topic_allow_declare=False,
            topic_disable_leader=True,
            # A new group starts at the beginning so nothing produced before it joined is lost.
            consumer_auto_offset_reset="earliest",
            # Static membership: a restarted instance takes its partitions back at once instead
            # of waiting for the broker to expire the old member.
            consumer_group_instance_id=static_member(group, instance_id),
            broker_session_timeout=SESSION_TIMEOUT_SECONDS,
            broker_heartbeat_interval=HEARTBEAT_INTERVAL_SECONDS,
            broker_commit_interval=1.0,
            stream_wait_empty=True,
        )
        # Before any topic or agent is declared, which is when faust first builds its transport.
        app.transport = OrderedAckTransport(app.conf.broker_consumer, app, gate=self._acks)
        for name in self._topics:
            channel = app.topic(name, key_serializer="raw", value_serializer="raw")

            async def agent(stream: Any) -> None:
                async for event in stream.noack().events():
                    message = event.message
                    self._acks.received(message.tp, message.offset, message)
                    await self._lanes.submit(event.key or b"", event)

            app.agent(channel, name=f"{group}.{name}")(agent)
        return app

    async def start(self) -> None:
        if self._topics:
            await self._app.start()
            self._started = True

    async def stop(self, *, grace_seconds: float) -> None:
        await self._lanes.close(grace_seconds=grace_seconds)
        if self._started:
            # The lanes already gave in-flight work its grace period; whatever they abandoned is
            # unacked on purpose (it must be redelivered), so faust must not wait for its ack.
            # (It still waits during rebalances, where in-flight work does finish.)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._app.conf.stream_wait_empty = False
            await self._app.stop()
            # Stopped on purpose, its last offsets committed: hand the partitions to the other
            # instances now rather than after the session timeout (membership.py).
            await leave_group(
                bootstrap_servers=self._bootstrap_servers,
                group=self.group,
                instance_id=self._member,
            )

    def is_running(self) -> bool:
        if self._failed:
            return False
        return not self._topics or (self._started and not self._app.should_stop)

    async def _process(self, event: Any) -> None:
        started = time.monotonic()
        topic: str = event.message.topic
        try:
            await self._handle_message(topic, event.key, event.value, event.message)
        except Exception:
            # Not acked, so never committed: redelivered after a restart. Until then this
            # partition cannot commit past it, so report not-ready to get attention.
            self._failed = True
            log.exception("unexpected failure outside the retry loop; message left unacked")
            return
        # Acking only after handling (and not when cancelled at shutdown) is what makes the
        # commit happen after handling; the consumer holds the ack back until every lower offset
        # of the partition is acked as well.
        event.ack()
        EVENT_HANDLING_SECONDS.labels(topic).observe(time.monotonic() - started)

    async def _handle_message(
        self, topic: str, key: bytes | None, value: bytes, message: Any
    ) -> None:
        try:
            envelope = decode_event(value)
        except UnknownEventType as unknown:
            EVENTS_CONSUMED.labels(topic, unknown.event_type, "unknown_type").inc()
            log.info("skipped event of unknown type", event_type=unknown.event_type, topic=topic)
            return
        except EventDecodeError as exc:
            EVENTS_CONSUMED.labels(topic, "(invalid)", "dead_lettered").inc()
            await self._dead_letter(
                topic, key, value, message, reason="malformed", error=str(exc), attempts=0
            )
            return

        selected = self._routes.get((topic, envelope.type))
        if selected is None:
            EVENTS_CONSUMED.labels(topic, envelope.type, "not_subscribed").inc()
            return
        with structlog.contextvars.bound_contextvars(
            correlation_id=str(envelope.correlation_id),
            event_id=str(envelope.id),
            event_type=envelope.type,
        ):
            outcome = await self._handle_with_retries(
                selected, envelope, topic=topic, key=key, value=value, message=message
            )
        EVENTS_CONSUMED.labels(topic, envelope.type, outcome).inc()

    async def _handle_with_retries(
        self,
        selected: Route[Any],
        envelope: Envelope[Any],
        *,
        topic: str,
        key: bytes | None,
        value: bytes,
        message: Any,
    ) -> str:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._handling.handle(selected, envelope)
            except PermanentError as exc:
                log.warning("handler refused event permanently", error=str(exc))
                await self._dead_letter(
                    topic, key, value, message, reason="permanent", error=str(exc), attempts=attempt
                )
                return "dead_lettered"
            except Exception as exc:
                if attempt >= self._max_attempts:
                    log.exception("handler failed; dead-lettering", attempts=attempt)
                    await self._dead_letter(
                        topic,
                        key,
                        value,
                        message,
                        reason="retries_exhausted",
                        error=f"{type(exc).__name__}: {exc}",
                        attempts=attempt,
                    )
                    return "dead_lettered"
                EVENT_HANDLING_RETRIES.labels(topic, envelope.type).inc()
                log.warning("handler failed; retrying", attempt=attempt, error=type(exc).__name__)
                await asyncio.sleep(self._backoff(attempt))

    def _backoff(self, attempt: int) -> float:
        return float(min(self._backoff_seconds * 2 ** (attempt - 1), self._backoff_max_seconds))

    async def _dead_letter(
        self,
        topic: str,
        key: bytes | None,
        value: bytes,
        message: Any,
        *,
        reason: str,
        error: str,
        attempts: int,
    ) -> None:
        headers = [
            ("dlq.reason", reason.encode()),
            ("dlq.error", error[:2000].encode()),
            ("dlq.source_topic", topic.encode()),
            ("dlq.source_partition", str(message.partition).encode()),
            ("dlq.source_offset", str(message.offset).encode()),
            ("dlq.group", self.group.encode()),
            ("dlq.attempts", str(attempts).encode()),
            ("dlq.failed_at", utcnow().isoformat().encode()),
        ]
        dlq_topic = self._topics[topic].dlq
        delay = self._backoff_seconds
        # The message is acked only after its dead letter is safely written; if Kafka cannot take
        # it now, keep trying (this lane waits, the others go on).
        while True:
            try:
                await self._producer.send_and_wait(dlq_topic, value=value, key=key, headers=headers)
                break
            except Exception:
                log.exception("could not write dead letter; retrying", dlq_topic=dlq_topic)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff_max_seconds)
        DEAD_LETTERS.labels(topic, reason).inc()
        log.warning(
            "message dead-lettered",
            topic=topic,
            reason=reason,
            source_event_id=peek_event_id(value),
        )
