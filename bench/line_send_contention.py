"""Write conflicts in line_gateway's send path: many sends at once, counted by mongod itself.

    .venv/bin/python -m bench.line_send_contention                    # 1000 replies + 200 pushes
    .venv/bin/python -m bench.line_send_contention --replies 2000 --pushes 0

Starts its own Kafka, mongod, LINE simulator and one line_gateway in a temporary folder on free
ports. Each of `--replies` seniors taps a button in the simulator (a webhook, so the gateway
records the event and LINE issues a reply token); then one reply command per senior, and
`--pushes` push commands to other seniors, are published to `line.outbound` at once, so the
gateway handles up to `consumer_max_in_flight` sends concurrently. Prints how long the sends took
and what mongod counted meanwhile: write conflicts (`serverStatus.metrics.operation.
writeConflicts`), transactions started, committed and aborted, and the slow operations mongod
logged with write conflicts, per collection (count, sum, max per operation).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from services.common.events import encode_event, new_event
from services.common.events.contracts.line import SendPriority, SendRequested, TextMessage
from services.common.time import utcnow
from tools.devstack.stack import GATEWAY_SENDER, Stack, StackConfig

GATEWAY_DB = "sslp_line_gateway"


async def server_status(uri: str) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    try:
        status: dict[str, Any] = await client.admin.command("serverStatus")
        return status
    finally:
        await client.close()


def counters(status: dict[str, Any]) -> dict[str, int]:
    tx = status.get("transactions", {})
    return {
        "write conflicts": int(status["metrics"]["operation"]["writeConflicts"]),
        "transactions started": int(tx.get("totalStarted", 0)),
        "transactions committed": int(tx.get("totalCommitted", 0)),
        "transactions aborted": int(tx.get("totalAborted", 0)),
    }


def logged_conflicts(log: Path, offset: int) -> dict[str, list[int]]:
    """Write conflicts of the slow operations mongod logged after `offset`, per collection."""
    found: dict[str, list[int]] = defaultdict(list)
    with log.open("rb") as lines:
        lines.seek(offset)
        for raw in lines:
            try:
                entry = json.loads(raw)
            except ValueError:
                continue
            attr = entry.get("attr") or {}
            conflicts = attr.get("writeConflicts")
            if conflicts:
                found[str(attr.get("ns", "?"))].append(int(conflicts))
    return found


async def tokens_for(simulator: httpx.AsyncClient, users: list[str]) -> dict[str, str]:
    """Each senior taps a button: a webhook through the gateway, and a reply token from LINE."""
    tokens: dict[str, str] = {}
    gate = asyncio.Semaphore(32)

    async def tap(user: str) -> None:
        async with gate:
            sent = (
                await simulator.post(f"/sim/users/{user}/postbacks", json={"data": "bench:tap"})
            ).json()
            if sent["status"] == 200:
                tokens[user] = sent["replyToken"]

    await asyncio.gather(*(tap(u) for u in users))
    return tokens


async def finished_sends(uri: str, command_ids: list[str]) -> int:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    try:
        return await client[GATEWAY_DB].deliveries.count_documents(
            {"_id": {"$in": command_ids}, "outcome": {"$ne": None}}
        )
    finally:
        await client.close()


def command(user: str, token: str | None) -> tuple[str, bytes]:
    data = SendRequested(
        user_id=user,
        messages=[TextMessage(text="ベンチマークのお知らせです。")],
        reply_token=token,
        reply_token_expires_at=utcnow() + timedelta(seconds=45) if token else None,
        priority=SendPriority.CONVERSATION if token else SendPriority.SERVICE,
        purpose="bench.contention",
    )
    envelope = new_event(data, source="bench")
    return str(envelope.id), encode_event(envelope)


async def bench(args: argparse.Namespace) -> int:
    out = sys.stdout
    with tempfile.TemporaryDirectory(prefix="sslp-bench-") as folder:
        config = StackConfig.isolated(Path(folder))
        config.env = {"SSL_ENVIRONMENT": "test", "LOG_LEVEL": "WARNING"}
        stack = Stack(config)
        out.write(f"starting Kafka, mongod, the LINE simulator and line_gateway in {folder}\n")
        await stack.start_infrastructure()
        await stack.start_apps(["line_simulator", "line_gateway", GATEWAY_SENDER])
        try:
            async with httpx.AsyncClient(
                base_url=config.url("line_simulator"), timeout=30
            ) as simulator:
                (await simulator.post("/sim/quota", json={"limit": 10_000_000})).raise_for_status()
                repliers = [f"Ubench{uuid4().hex[:27]}" for _ in range(args.replies)]
                pushed = [f"Ubench{uuid4().hex[:27]}" for _ in range(args.pushes)]
                tokens = await tokens_for(simulator, repliers)
            total = len(tokens) + len(pushed)
            producer = AIOKafkaProducer(
                bootstrap_servers=stack.kafka.bootstrap_servers, acks="all", linger_ms=5
            )
            await producer.start()
            try:
                before = counters(await server_status(stack.mongo.uri))
                log_offset = stack.mongo.process.log_path.stat().st_size
                commands = [
                    (user, *command(user, token))
                    for user, token in [*tokens.items(), *((u, None) for u in pushed)]
                ]
                command_ids = [command_id for _, command_id, _ in commands]
                started = time.monotonic()
                pending = [
                    await producer.send("line.outbound", key=user.encode(), value=value)
                    for user, _, value in commands
                ]
                await asyncio.gather(*pending)
                deadline = started + args.timeout
                done = 0
                while time.monotonic() < deadline:
                    done = await finished_sends(stack.mongo.uri, command_ids)
                    if done >= total:
                        break
                    await asyncio.sleep(0.25)
                elapsed = time.monotonic() - started
                after = counters(await server_status(stack.mongo.uri))
            finally:
                await producer.stop()
            await asyncio.sleep(1.0)  # let mongod flush its log lines
            slow = logged_conflicts(stack.mongo.process.log_path, log_offset)
        finally:
            stack.stop()

    out.write(
        f"{done}/{total} sends finished ({len(tokens)} replies, {len(pushed)} pushes) "
        f"in {elapsed:.1f} s: {done / elapsed:.0f} sends/s\n"
    )
    out.write("mongod during the sends:\n")
    for name, value in after.items():
        out.write(f"  {name:24} {value - before[name]}\n")
    out.write("slow operations logged with write conflicts (collection: count, sum, max):\n")
    if not slow:
        out.write("  none\n")
    for ns, values in sorted(slow.items()):
        out.write(f"  {ns}: {len(values)}, {sum(values)}, {max(values)}\n")
    return 0 if done >= total else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--pushes", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=300.0)
    return asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
