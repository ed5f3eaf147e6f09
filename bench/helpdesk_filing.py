"""What the helpdesk pays to file the conversation beside a ticket: commands and CPU per event.

    .venv/bin/python -m bench.helpdesk_filing                       # 100 seniors, 10 rounds
    .venv/bin/python -m bench.helpdesk_filing --seniors 200 --rounds 5 --repeats 5

Starts its own mongod (a one-member replica set) in a temporary folder on a free port. Each
round, every senior writes to Dai-chan (`line.message.received`, bot mode) and Dai-chan answers
(`line.send.requested`, `ai_chat.answer`): the two events the helpdesk only files. They are
handled through the helpdesk's own routes, the framework's `EventHandling` and the stream
processor's `KeyedLanes` (one at a time per senior, 256 at once), as the consumer runs them, without
Kafka. Prints the MongoDB commands per event (counted by a driver listener in a first, unmeasured
run), then per run the events per second and the CPU per event of this process (the helpdesk's
side) and of mongod.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter
from datetime import timedelta
from typing import Any, cast
from uuid import uuid4

from pymongo import AsyncMongoClient, monitoring

from bench.ai_chat_throughput import process_cpu_seconds
from bench.own_mongod import own_mongod
from services.common.events.contracts.line import (
    ConversationMode,
    MessageReceived,
    SendRequested,
    TextMessage,
)
from services.common.events.envelope import Contract, Envelope, new_event
from services.common.kafka.handling import EventHandling, Route
from services.common.kafka.streams import KeyedLanes
from services.common.programme.handlers import ProgrammeHandlers
from services.common.programme.projection import ProgrammeProjection
from services.common.store import MongoStore
from services.common.store.processed import ProcessedEvents
from services.common.time import utcnow
from services.helpdesk.app import consumer_routes
from services.helpdesk.consumers.context import ContextHandlers, ConversationFiling
from services.helpdesk.consumers.deliveries import DeliveryHandlers
from services.helpdesk.consumers.inbound import InboundHandlers
from services.helpdesk.consumers.requests import RequestHandlers
from services.helpdesk.store import ContextRepository

LANES = 256  # the helpdesk's consumer_max_in_flight


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def workload(seniors: int, rounds: int) -> list[tuple[str, Envelope[Any]]]:
    users = [f"Ubench{uuid4().hex}" for _ in range(seniors)]
    events: list[tuple[str, Envelope[Any]]] = []
    for _ in range(rounds):
        for user in users:
            said = MessageReceived(
                user_id=user,
                webhook_event_id=uuid4().hex,
                message_id=uuid4().hex[:12],
                message_type="text",
                text="きょうは いい天気ですね",
                sent_at=utcnow(),
                conversation_mode=ConversationMode.BOT,
            )
            told = SendRequested(
                user_id=user,
                messages=[TextMessage(text="そうですね、おでかけ日和です")],
                purpose="ai_chat.answer",
            )
            events.append((user, new_event(said, source="line_gateway")))
            events.append((user, new_event(told, source="ai_chat")))
    return events


async def run(
    uri: str, events: list[tuple[str, Envelope[Any]]], *, mongod: int, listener: Commands | None
) -> tuple[dict[str, float], Counter[str]]:
    """The figures of one run, and the commands the handling sent (with a listener)."""
    store = MongoStore(uri=uri, database=f"bench_{uuid4().hex[:10]}", app_name="bench")
    if listener is not None:
        store.client = AsyncMongoClient(uri, tz_aware=True, event_listeners=[listener])
        store.db = store.client[store.db.name]
    await store.ensure_indexes(
        [
            *ContextRepository.indexes(conversation_retention=timedelta(days=1)),
            ProcessedEvents.indexes(timedelta(days=1)),
        ]
    )
    projection = ProgrammeProjection(store)
    context = ContextRepository(store, programme=projection)
    filing = ConversationFiling(context)
    routes: dict[type[Contract], Route[Any]] = {
        r.contract: r
        for r in consumer_routes(
            RequestHandlers(opening=cast(Any, None)),
            InboundHandlers(senior=cast(Any, None), filing=filing),
            ContextHandlers(filing=filing),
            ProgrammeHandlers(projection=projection, also_erase=[context]),
            DeliveryHandlers(senior=cast(Any, None)),
        )
    }
    handling = EventHandling(store=store, group="helpdesk")
    await store.ping()
    left = len(events)
    finished = asyncio.Event()

    async def process(envelope: Envelope[Any]) -> None:
        nonlocal left
        await handling.handle(routes[type(envelope.data)], envelope)
        left -= 1
        if not left:
            finished.set()

    lanes: KeyedLanes[Envelope[Any]] = KeyedLanes(limit=LANES, process=process)
    if listener is not None:
        listener.names.clear()
    started, cpu, mongod_cpu = time.monotonic(), time.process_time(), process_cpu_seconds(mongod)
    for user, envelope in events:
        await lanes.submit(user, envelope)
    await finished.wait()
    wall = time.monotonic() - started
    sent = Counter(listener.names) if listener is not None else Counter()
    cpu, mongod_cpu = time.process_time() - cpu, process_cpu_seconds(mongod) - mongod_cpu
    filed = await store.collection("context_conversation").count_documents({})
    await store.drop_database()
    await store.close()
    if filed != len(events):
        raise RuntimeError(f"{filed} turns filed for {len(events)} events")
    figures = {
        "events/s": len(events) / wall,
        "helpdesk CPU ms/event": 1000 * cpu / len(events),
        "mongod CPU ms/event": 1000 * mongod_cpu / len(events),
    }
    return figures, sent


async def bench(args: argparse.Namespace) -> None:
    out = sys.stdout
    async with own_mongod() as mongod:
        count = args.seniors * args.rounds * 2
        _, sent = await run(
            mongod.uri, workload(args.seniors, args.rounds), mongod=mongod.pid, listener=Commands()
        )
        per_event = sum(sent.values()) / count
        out.write(f"{count} events: {per_event:.3f} MongoDB commands per event {dict(sent)}\n")
        for repeat in range(args.repeats):
            figures, _ = await run(
                mongod.uri, workload(args.seniors, args.rounds), mongod=mongod.pid, listener=None
            )
            shown = ", ".join(f"{name} {value:.3f}" for name, value in figures.items())
            out.write(f"run {repeat + 1}: {shown} (load {os.getloadavg()[0]:.1f})\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seniors", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10, help="messages and answers per senior")
    parser.add_argument("--repeats", type=int, default=3)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
