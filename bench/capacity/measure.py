"""`python -m bench.capacity --measure`: what one senior message costs on this machine.

Starts the whole platform with the devstack's classes (Kafka, mongod, the four services, the LINE
simulator and the OpenAI-compatible test server) in a temporary folder on free ports. New seniors
then follow the account and talk to Dai-chan through the simulator as seniors do: each sends
`--messages-per-senior` texts, one after the other, each after the previous answer arrived;
`--seniors` of them at once. Around that conversation phase it reads:

- CPU seconds of every process (user + system, /proc/<pid>/stat) and their resident memory;
- MongoDB's document writes and committed transactions (serverStatus), and per collection the
  documents, bytes and index bytes added, with the TTL its indexes give it;
- Kafka's records per topic (end offsets) and bytes (the topic's log segment files);
- line_gateway's sends by method and ai_chat's model calls and tokens (their /metrics).

Writes everything per message (and per senior where it belongs to seniors) to a JSON file,
`bench/capacity/measured.json` by default, which the model reads.
"""

from __future__ import annotations

import asyncio
import os
import platform
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient

from bench.ai_chat_throughput import cpu_seconds
from services.common.kafka.topics import topic_names
from tools.devstack.stack import SERVICES, Stack, StackConfig

TEXTS = (
    "おはよう、今日はええ天気やね",
    "朝ごはんにお味噌汁を作ったよ",
    "午後は公園まで散歩に行こうと思う",
    "孫が来週遊びに来るんよ",
    "最近は夜よく眠れるようになったわ",
    "テレビで野球を見てたら楽しかった",
    "お昼は何を食べようかな",
    "近所の人と立ち話をしたよ",
    "庭の花がきれいに咲いた",
    "今日もありがとうな、また話そう",
)
Snapshot = dict[str, Any]


def rss_megabytes(stack: Stack) -> dict[str, float]:
    sizes = {}
    for process in stack.processes():
        if process.pid is None:
            continue
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes[process.name] = int(line.split()[1]) / 1024
    return sizes


async def mongo_snapshot(uri: str) -> Snapshot:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    try:
        status = await client.admin.command("serverStatus")
        collections: dict[str, dict[str, Any]] = {}
        for database in await client.list_database_names():
            if not database.startswith("sslp"):
                continue
            db = client[database]
            for name in await db.list_collection_names():
                stats = await (
                    await db[name].aggregate([{"$collStats": {"storageStats": {}}}])
                ).to_list()
                storage = stats[0]["storageStats"]
                ttl = [
                    int(index["expireAfterSeconds"])
                    async for index in await db[name].list_indexes()
                    if "expireAfterSeconds" in index
                ]
                collections[f"{database}.{name}"] = {
                    "docs": int(storage.get("count", 0)),
                    "bytes": int(storage.get("size", 0)),
                    "index_bytes": int(storage.get("totalIndexSize", 0)),
                    "ttl_seconds": min(ttl) if ttl else None,
                }
        document = status["metrics"]["document"]
        return {
            "inserted": int(document["inserted"]),
            "updated": int(document["updated"]),
            "deleted": int(document["deleted"]),
            "transactions": int(status["transactions"]["totalCommitted"]),
            "collections": collections,
        }
    finally:
        await client.close()


async def kafka_snapshot(bootstrap: str, data_dir: Path) -> Snapshot:
    topics = topic_names()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        # The consumer's own metadata holds only subscribed topics; ask for the whole cluster's.
        cluster = await consumer._client.fetch_all_metadata()
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in cluster.partitions_for_topic(topic) or ()
        ]
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    records = {topic: 0 for topic in topics}
    for tp, offset in ends.items():
        records[tp.topic] += offset
    return {"records": records, "bytes": log_bytes(data_dir, topics)}


def log_bytes(data_dir: Path, topics: list[str]) -> dict[str, int]:
    """Bytes in each topic's log segments (the .log files of its partition folders)."""
    sizes = {topic: 0 for topic in topics}
    for folder in data_dir.iterdir():
        topic, _, partition = folder.name.rpartition("-")
        if topic in sizes and partition.isdigit():
            sizes[topic] += sum(f.stat().st_size for f in folder.glob("*.log"))
    return sizes


def counter_values(text: str, name: str, label: str) -> dict[str, float]:
    """Sum of a counter's samples by one label, from a /metrics page."""
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name != name.removesuffix("_total"):
            continue
        for sample in family.samples:
            if sample.name == name:
                key = sample.labels.get(label, "")
                totals[key] = totals.get(key, 0.0) + sample.value
    return totals


async def metrics_snapshot(stack: Stack) -> Snapshot:
    async with httpx.AsyncClient(timeout=10.0) as client:
        # Sends are the gateway's sender role's (tools/devstack's `line_gateway_sender`).
        gateway = (await client.get(f"{stack.config.url('line_gateway_sender')}/metrics")).text
        ai_chat = (await client.get(f"{stack.config.url('ai_chat')}/metrics")).text
    return {
        "sends": counter_values(gateway, "sslp_line_sends_total", "method"),
        "billable": counter_values(gateway, "sslp_line_billable_messages_total", "method"),
        "model_calls": counter_values(ai_chat, "sslp_ai_model_calls_total", "operation"),
        "tokens": counter_values(ai_chat, "sslp_ai_model_tokens_total", "direction"),
    }


async def snapshot(stack: Stack, kafka_data: Path) -> Snapshot:
    return {
        "cpu": cpu_seconds(stack),
        "mongo": await mongo_snapshot(stack.mongo.uri),
        "kafka": await kafka_snapshot(stack.kafka.bootstrap_servers, kafka_data),
        "metrics": await metrics_snapshot(stack),
        "at": time.monotonic(),
    }


async def converse(
    client: httpx.AsyncClient, user: str, texts: Iterable[str], timeout: float
) -> int:
    """Follow, then send each text after the answer to the previous one; answers received."""

    async def sends() -> int:
        inbox = (await client.get(f"/sim/users/{user}/inbox")).json()["messages"]
        return len(inbox)

    async def wait_for(count: int) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await sends() >= count:
                return True
            await asyncio.sleep(0.5)
        return False

    (await client.post(f"/sim/users/{user}/follow")).raise_for_status()
    if not await wait_for(1):
        return 0
    answered = 0
    for text in texts:
        before = await sends()
        (await client.post(f"/sim/users/{user}/messages", json={"text": text})).raise_for_status()
        if not await wait_for(before + 1):
            break
        answered += 1
    return answered


def per(value: float, count: int) -> float:
    return value / count if count else 0.0


def delta_by_key(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {key: after[key] - before.get(key, 0.0) for key in after}


MONGO_COUNTERS = ("inserted", "updated", "deleted", "transactions")


def idle_rates(start: Snapshot, end: Snapshot) -> dict[str, Any]:
    """Per second, with nobody writing: CPU seconds by process, MongoDB counters."""
    seconds = end["at"] - start["at"]
    return {
        "cpu": {
            name: value / seconds for name, value in delta_by_key(end["cpu"], start["cpu"]).items()
        },
        "mongo": {
            key: (end["mongo"][key] - start["mongo"][key]) / seconds for key in MONGO_COUNTERS
        },
    }


def summarise(
    before: Snapshot,
    after: Snapshot,
    *,
    seniors: int,
    messages: int,
    answered: int,
    idle: dict[str, Any],
) -> dict[str, Any]:
    seconds = after["at"] - before["at"]
    # What the messages caused: beyond each idle rate over the same time.
    cpu = {
        name: max(spent - idle["cpu"].get(name, 0.0) * seconds, 0.0)
        for name, spent in delta_by_key(after["cpu"], before["cpu"]).items()
    }
    mongo_counts = {
        key: max(after["mongo"][key] - before["mongo"][key] - idle["mongo"][key] * seconds, 0.0)
        for key in MONGO_COUNTERS
    }
    mongo_before, mongo_after = before["mongo"], after["mongo"]
    collections = {}
    for name, stats in sorted(mongo_after["collections"].items()):
        old = mongo_before["collections"].get(
            name, {"docs": 0, "bytes": 0, "index_bytes": 0, "ttl_seconds": None}
        )
        docs = stats["docs"] - old["docs"]
        if docs <= 0:
            continue
        collections[name] = {
            "docs_per_senior": per(docs, seniors),
            "docs_per_message": per(docs, messages),
            # Sizes per document from the collection after the run: index pages grow in steps,
            # so an average over all documents is steadier than the difference.
            "bytes_per_doc": per(stats["bytes"], stats["docs"]),
            "index_bytes_per_doc": per(stats["index_bytes"], stats["docs"]),
            "ttl_days": None if stats["ttl_seconds"] is None else stats["ttl_seconds"] / 86400,
        }
    kafka = {}
    for topic, records in after["kafka"]["records"].items():
        added = records - before["kafka"]["records"].get(topic, 0)
        if added <= 0:
            continue
        written = after["kafka"]["bytes"][topic] - before["kafka"]["bytes"].get(topic, 0)
        kafka[topic] = {
            "records_per_message": per(added, messages),
            "bytes_per_record": per(written, added),
        }
    metrics = {
        key: delta_by_key(after["metrics"][key], before["metrics"][key]) for key in after["metrics"]
    }
    return {
        "seniors": seniors,
        "messages": messages,
        "answered": answered,
        "seconds": round(seconds, 1),
        "idle_cores": {name: round(cores, 4) for name, cores in sorted(idle["cpu"].items())},
        "idle_mongodb_per_second": {key: round(rate, 2) for key, rate in idle["mongo"].items()},
        "cpu_ms_per_message": {
            name: round(1000 * per(spent, messages), 3) for name, spent in sorted(cpu.items())
        },
        "mongodb": {
            "inserted_per_message": per(mongo_counts["inserted"], messages),
            "updated_per_message": per(mongo_counts["updated"], messages),
            "deleted_per_message": per(mongo_counts["deleted"], messages),
            "transactions_per_message": per(mongo_counts["transactions"], messages),
            "collections": collections,
        },
        "kafka": kafka,
        "line": {
            method: per(count, messages) for method, count in sorted(metrics["sends"].items())
        },
        "model": {
            "calls_per_message": {
                op: per(count, messages) for op, count in sorted(metrics["model_calls"].items())
            },
            "tokens_per_message": {
                direction: per(count, messages)
                for direction, count in sorted(metrics["tokens"].items())
            },
        },
    }


def machine() -> dict[str, Any]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


async def measure(
    *, seniors: int, messages_per_senior: int, timeout: float, idle_seconds: float = 15.0
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sslp-capacity-") as folder:
        config = StackConfig.isolated(Path(folder), with_openai_server=True)
        config.env = {
            "SSL_ENVIRONMENT": "test",
            "LOG_LEVEL": "WARNING",
            "OPENAI_API_KEY": "bench-key",
            "OPENAI_BASE_URL": f"{config.url('openai_server')}/v1",
            "OPENAI_MODEL": "bench-model",
            "AI_CHAT_CHECKIN_POLL_SECONDS": "3600",
        }
        stack = Stack(config)
        await stack.start()
        kafka_data = Path(folder) / "kafka" / "data"
        try:
            async with httpx.AsyncClient(
                base_url=config.url("line_simulator"), timeout=30.0
            ) as client:
                # Warm-up: consumer groups joined, pools open, rich menus provisioned.
                await asyncio.gather(
                    *(converse(client, "U" + uuid4().hex, TEXTS[:2], timeout) for _ in range(4))
                )
                await asyncio.sleep(2.0)
                # What the processes do with nobody writing (heartbeats, polling, leases,
                # periodic jobs), so it is not charged to the messages.
                idle_start = await snapshot(stack, kafka_data)
                await asyncio.sleep(idle_seconds)
                before = await snapshot(stack, kafka_data)
                load_before = os.getloadavg()[0]
                texts = [TEXTS[i % len(TEXTS)] for i in range(messages_per_senior)]
                answers = await asyncio.gather(
                    *(converse(client, "U" + uuid4().hex, texts, timeout) for _ in range(seniors))
                )
                # Let the relays and the helpdesk's and lending's consumers finish their part.
                await asyncio.sleep(3.0)
                after = await snapshot(stack, kafka_data)
                load_after = os.getloadavg()[0]
                rss = rss_megabytes(stack)
        finally:
            stack.stop()
    result = summarise(
        before,
        after,
        seniors=seniors,
        messages=seniors * messages_per_senior,
        answered=sum(answers),
        idle=idle_rates(idle_start, before),
    )
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.capacity --measure "
        f"--seniors {seniors} --messages-per-senior {messages_per_senior}",
        "machine": machine(),
        "load_average": {"before": round(load_before, 2), "after": round(load_after, 2)},
        "services": list(SERVICES),
        **result,
        "rss_mb": {name: round(size, 1) for name, size in sorted(rss.items())},
    }
