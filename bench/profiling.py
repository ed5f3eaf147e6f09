"""Where the time goes under a webhook flood: py-spy on a Python process, and mongod's own view
(the database profiler, `$currentOp` samples, `serverStatus` counters).

Collectors talk to the running stack; the summaries are pure functions of what was collected,
tested on their own (`tests/bench/test_profiling.py`). Used by `bench.webhook_ingest --profile`.

- **py-spy** (`py-spy record --format raw`) writes collapsed stacks, one `frame;frame;... count`
  a line with the root first. A function's *inclusive* share is the samples whose stack holds it
  anywhere; its *self* share, the samples where it is the innermost frame. py-spy leaves out
  samples where the thread waits (idle), so shares are of the time the process was on the CPU
  (or holding the GIL in a C call). Only the event loop's thread is read: the other threads are
  thread pools whose waiting py-spy does not always recognise as idle.
- **mongod's profiler** (level 2, every operation, on the gateway's database) lists each write's
  collection and filter: a document written by many concurrent requests (the same `_id` over and
  over) is a hot document, and the writes with `writeConflicts` show where they collided.
- **`$currentOp`**, sampled a few times a second: what is running at once, and what waits for a
  lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

# -- py-spy ----------------------------------------------------------------------------------


def py_spy_command(pid: int, seconds: float, out: Path, rate: int = 50) -> list[str]:
    py_spy = shutil.which("py-spy") or str(Path(__file__).resolve().parents[1] / ".venv/bin/py-spy")
    # --nonblocking: read the process without pausing it, so the profile does not slow the run;
    # 50 a second: on a loaded machine py-spy falls behind at 100.
    return [
        py_spy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(int(seconds)),
        "--rate",
        str(rate),
        "--format",
        "raw",
        "--nonblocking",
        "--output",
        str(out),
    ]


async def py_spy_record(pid: int, seconds: float, out: Path) -> str:
    """Run py-spy for `seconds`; its own messages (for the record, or why it failed)."""
    process = await asyncio.create_subprocess_exec(
        *py_spy_command(pid, seconds, out),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return output.decode(errors="replace")


@dataclass(frozen=True)
class StackProfile:
    """The event loop thread's samples (where the service's work runs), by what they were doing;
    other threads (the driver's and libraries' pools, mostly waiting) are only counted."""

    samples: int
    inclusive: dict[str, int]
    self_time: dict[str, int]
    by_area: dict[str, int]
    by_entry: dict[str, int]
    other_threads: int

    def share(self, count: int) -> float:
        return count / self.samples if self.samples else 0.0


def frame_name(frame: str) -> str:
    """`callback (services/line_gateway/api/webhook.py:120)` ->
    `services/line_gateway/api/webhook.py:callback` for the platform's own code, `base.py:run`
    for a library's, or the frame itself when py-spy did not give a file."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    if not path:
        return name
    return f"{path}:{name}" if path.startswith("services/") else f"{Path(path).name}:{name}"


# What a sample was doing at its deepest recognisable layer: the first rule that matches a
# frame, tested on the frames from the innermost out.
AREAS = (
    ("pymongo", "MongoDB driver (pymongo, bson)"),
    ("bson", "MongoDB driver (pymongo, bson)"),
    ("aiokafka", "Kafka client (aiokafka)"),
    ("kafka/", "Kafka client (aiokafka)"),
    ("faust", "faust / mode (consumers)"),
    ("mode/", "faust / mode (consumers)"),
    ("pydantic", "pydantic (validation, JSON)"),
    ("structlog", "logging"),
    ("logging", "logging"),
    ("prometheus_client", "metrics"),
    ("aiohttp", "HTTP client (aiohttp, httpx)"),
    ("httpx", "HTTP client (aiohttp, httpx)"),
    ("httpcore", "HTTP client (aiohttp, httpx)"),
    ("uvicorn", "HTTP server (uvicorn, starlette, fastapi)"),
    ("starlette", "HTTP server (uvicorn, starlette, fastapi)"),
    ("fastapi", "HTTP server (uvicorn, starlette, fastapi)"),
    ("anyio", "HTTP server (uvicorn, starlette, fastapi)"),
    ("services/", "platform code (services/)"),
    ("asyncio", "asyncio event loop"),
)
# Which piece of work a sample belongs to: the first rule that matches any of its frames.
ENTRIES = (
    ("services/line_gateway/api/webhook.py", "webhook requests (POST /callback)"),
    ("services/common/store/outbox.py", "outbox relay"),
    ("services/common/kafka/streams.py", "Kafka consumers (sends, own follow-ups)"),
    ("services/common/periodic.py", "periodic jobs"),
    ("uvicorn/", "HTTP server, outside the handler"),
    ("starlette/", "HTTP server, outside the handler"),
    ("aiokafka/", "Kafka client, outside a handler (fetching, producing)"),
)
MAIN_THREAD = "_run_module_as_main"


def area_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for needle, area in AREAS:
            if needle in frame:
                return area
    return "other"


def entry_of(frames: list[str]) -> str:
    for needle, entry in ENTRIES:
        if any(needle in frame for frame in frames):
            return entry
    return "event loop, other"


def parse_collapsed(lines: Iterable[str]) -> StackProfile:
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    by_area: Counter[str] = Counter()
    by_entry: Counter[str] = Counter()
    samples = other_threads = 0
    for line in lines:
        stack, _, count_text = line.rstrip("\n").rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if f]
        if not frames or not frames[0].startswith(MAIN_THREAD):
            other_threads += count
            continue
        samples += count
        names = [frame_name(f) for f in frames]
        for name in set(names):
            inclusive[name] += count
        self_time[names[-1]] += count
        by_area[area_of(frames)] += count
        by_entry[entry_of(frames)] += count
    return StackProfile(
        samples, dict(inclusive), dict(self_time), dict(by_area), dict(by_entry), other_threads
    )


def top(counts: Mapping[str, int], n: int, *, prefix: str = "") -> list[tuple[str, int]]:
    chosen = [(k, v) for k, v in counts.items() if k.startswith(prefix)]
    return sorted(chosen, key=lambda kv: (-kv[1], kv[0]))[:n]


# -- mongod's profiler -----------------------------------------------------------------------

PROFILE_BYTES = 256 * 1024 * 1024


async def start_profiler(client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
    """Level 2 (every operation) into a capped `system.profile` big enough for a flood."""
    db = client[database]
    await db.command({"profile": 0})
    await db.drop_collection("system.profile")
    await db.create_collection("system.profile", capped=True, size=PROFILE_BYTES)
    await db.command({"profile": 2, "slowms": 0})


async def stop_profiler(
    client: AsyncMongoClient[dict[str, Any]], database: str
) -> list[dict[str, Any]]:
    db = client[database]
    await db.command({"profile": 0})
    return await db["system.profile"].find({}, {"command.u": 0}).to_list()


def _filter_of(entry: Mapping[str, Any]) -> Any:
    command = entry.get("command") or {}
    if entry.get("op") == "update":
        return command.get("q")
    if entry.get("op") == "remove":
        return command.get("q")
    if "findAndModify" in command:
        return command.get("query")
    return None


def document_key(entry: Mapping[str, Any]) -> str | None:
    """Which document a write aimed at: its `_id` when the filter names one, else the filter's
    shape (field names only: the same shape over many values is many documents)."""
    found = _filter_of(entry)
    if not isinstance(found, Mapping):
        return None
    if "_id" in found and not isinstance(found["_id"], Mapping):
        return f"_id={found['_id']}"
    return "filter{" + ",".join(sorted(found)) + "}"


@dataclass
class CollectionWrites:
    operations: Counter[str] = field(default_factory=Counter)
    millis: int = 0
    write_conflicts: int = 0
    documents: Counter[str] = field(default_factory=Counter)


def summarise_profile(entries: Iterable[Mapping[str, Any]]) -> dict[str, CollectionWrites]:
    """Per collection: operations by kind, their time, their write conflicts, and the writes
    per target document (updates, removes, findAndModify)."""
    found: dict[str, CollectionWrites] = defaultdict(CollectionWrites)
    for entry in entries:
        ns = str(entry.get("ns", "?"))
        if ns.endswith(".system.profile"):
            continue
        command = entry.get("command") or {}
        op = str(entry.get("op", "?"))
        if op == "command":
            op = next(iter(command), "command") if isinstance(command, Mapping) else op
        stats = found[ns]
        stats.operations[op] += 1
        stats.millis += int(entry.get("millis", 0))
        stats.write_conflicts += int(entry.get("writeConflicts", 0))
        key = document_key(entry)
        if key is not None:
            stats.documents[key] += 1
    return dict(found)


def hot_documents(
    summary: Mapping[str, CollectionWrites], *, at_least: int = 2, n: int = 15
) -> list[tuple[str, str, int]]:
    """The documents written most often, (collection, document, writes), most written first;
    filter shapes (many documents) are left out."""
    rows = [
        (ns, key, count)
        for ns, stats in summary.items()
        for key, count in stats.documents.items()
        if key.startswith("_id=") and count >= at_least
    ]
    return sorted(rows, key=lambda row: (-row[2], row[0], row[1]))[:n]


# -- $currentOp and serverStatus --------------------------------------------------------------


@dataclass
class CurrentOps:
    samples: int = 0
    active: Counter[str] = field(default_factory=Counter)
    waiting_for_lock: Counter[str] = field(default_factory=Counter)
    in_transaction: int = 0

    def add(self, ops: Iterable[Mapping[str, Any]]) -> None:
        self.samples += 1
        for op in ops:
            ns = str(op.get("ns", ""))
            if not ns.startswith("sslp") or op.get("op") == "getmore":
                continue
            command = op.get("command") or {}
            name = next(iter(command), str(op.get("op"))) if command else str(op.get("op"))
            label = f"{ns} {name}"
            self.active[label] += 1
            if op.get("waitingForLock"):
                self.waiting_for_lock[label] += 1
            if "transaction" in op:
                self.in_transaction += 1


async def sample_current_ops(
    client: AsyncMongoClient[dict[str, Any]], ops: CurrentOps, stop: asyncio.Event, every: float
) -> None:
    while not stop.is_set():
        cursor = await client.admin.aggregate(
            [{"$currentOp": {"allUsers": True, "idleSessions": False}}]
        )
        ops.add(await cursor.to_list())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)


def server_counters(status: Mapping[str, Any]) -> dict[str, int]:
    tx = status.get("transactions", {})
    ops = status.get("opcounters", {})
    return {
        "write conflicts": int(status["metrics"]["operation"]["writeConflicts"]),
        "transactions started": int(tx.get("totalStarted", 0)),
        "transactions committed": int(tx.get("totalCommitted", 0)),
        "transactions aborted": int(tx.get("totalAborted", 0)),
        "inserts": int(ops.get("insert", 0)),
        "updates": int(ops.get("update", 0)),
        "queries": int(ops.get("query", 0)),
        "commands": int(ops.get("command", 0)),
    }


def counter_delta(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    return {name: after[name] - before.get(name, 0) for name in after}


def dump(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, default=str, ensure_ascii=False, indent=1))
