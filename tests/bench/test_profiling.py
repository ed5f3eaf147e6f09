"""How a profile is read: py-spy's collapsed stacks by piece of work and layer, mongod's profiler
entries by collection and target document, $currentOp samples, serverStatus deltas."""

from __future__ import annotations

from pathlib import Path

from bench.profiling import (
    CurrentOps,
    counter_delta,
    document_key,
    frame_name,
    hot_documents,
    parse_collapsed,
    py_spy_command,
    server_counters,
    summarise_profile,
    top,
)

ROOT = "_run_module_as_main (<frozen runpy>:198);Handle._run (asyncio/events.py:80)"
WEBHOOK = f"{ROOT};callback (services/line_gateway/api/webhook.py:120)"
CONSUMER = f"{ROOT};StreamProcessor._process (services/common/kafka/streams.py:225)"
FIND = "AsyncCollection.find_one (pymongo/asynchronous/collection.py:1700)"
VALIDATE = "BaseModel.model_validate_json (pydantic/main.py:700)"


def collapsed() -> list[str]:
    return [
        f"{WEBHOOK};{FIND} 30",
        f"{WEBHOOK};{VALIDATE} 10",
        f"{CONSUMER};{FIND} 20",
        f"{ROOT};BaseEventLoop._run_once (asyncio/base_events.py:1922) 40",
        # A pool thread waiting: not the event loop, only counted.
        "Thread._bootstrap (threading.py:1002);_worker (concurrent/futures/thread.py:81) 47",
        "garbage without a count",
    ]


def test_samples_are_split_by_piece_of_work_and_by_layer() -> None:
    profile = parse_collapsed(collapsed())
    assert profile.samples == 100
    assert profile.other_threads == 47
    assert profile.by_entry == {
        "webhook requests (POST /callback)": 40,
        "Kafka consumers (sends, own follow-ups)": 20,
        "event loop, other": 40,
    }
    assert profile.by_area == {
        "MongoDB driver (pymongo, bson)": 50,
        "pydantic (validation, JSON)": 10,
        "asyncio event loop": 40,
    }
    assert profile.share(profile.by_area["MongoDB driver (pymongo, bson)"]) == 0.5


def test_inclusive_counts_a_function_once_per_sample_and_self_only_the_innermost() -> None:
    recursive = f"{WEBHOOK};callback (services/line_gateway/api/webhook.py:130);{FIND} 5"
    profile = parse_collapsed([recursive, f"{WEBHOOK};{VALIDATE} 3"])
    assert profile.inclusive["services/line_gateway/api/webhook.py:callback"] == 8
    assert profile.self_time == {
        "collection.py:AsyncCollection.find_one": 5,
        "main.py:BaseModel.model_validate_json": 3,
    }
    assert top(profile.inclusive, 1, prefix="services/") == [
        ("services/line_gateway/api/webhook.py:callback", 8)
    ]


def test_frame_names_keep_the_platform_path_and_shorten_libraries() -> None:
    assert frame_name("callback (services/line_gateway/api/webhook.py:120)") == (
        "services/line_gateway/api/webhook.py:callback"
    )
    assert frame_name(FIND) == "collection.py:AsyncCollection.find_one"
    assert frame_name("<module>") == "<module>"


def test_py_spy_reads_without_pausing_into_a_raw_file() -> None:
    argv = py_spy_command(1234, 20.5, Path("out.txt"))
    assert argv[1:4] == ["record", "--pid", "1234"]
    assert argv[argv.index("--duration") + 1] == "20"
    assert "--nonblocking" in argv
    assert argv[argv.index("--format") + 1] == "raw"


def update(ns: str, q: object, conflicts: int = 0, millis: int = 1) -> dict[str, object]:
    entry: dict[str, object] = {"op": "update", "ns": ns, "command": {"q": q}, "millis": millis}
    if conflicts:
        entry["writeConflicts"] = conflicts
    return entry


def test_writes_are_counted_per_target_document_and_collisions_per_collection() -> None:
    usage = "sslp_line_gateway.monthly_usage"
    users = "sslp_line_gateway.line_users"
    entries: list[dict[str, object]] = [
        *(update(usage, {"_id": "2026-12"}, conflicts=1 if i % 2 else 0) for i in range(10)),
        *(update(users, {"_id": f"U{i}"}) for i in range(10)),
        update(users, {"_id": "U1"}),
        update(users, {"following": True, "mode": "bot"}),
        {"op": "insert", "ns": users, "command": {"insert": "line_users"}, "millis": 2},
        {
            "op": "command",
            "ns": "sslp_line_gateway.leases",
            "command": {"findAndModify": "leases", "query": {"_id": "outbox-relay"}},
            "millis": 4,
        },
        {"op": "query", "ns": "sslp_line_gateway.system.profile", "command": {}},
    ]
    summary = summarise_profile(entries)
    assert set(summary) == {usage, users, "sslp_line_gateway.leases"}
    assert summary[usage].operations == {"update": 10}
    assert summary[usage].write_conflicts == 5
    assert summary[usage].millis == 10
    assert summary[users].operations == {"update": 12, "insert": 1}
    assert summary[users].documents["filter{following,mode}"] == 1
    assert summary["sslp_line_gateway.leases"].operations == {"findAndModify": 1}
    assert hot_documents(summary) == [(usage, "_id=2026-12", 10), (users, "_id=U1", 2)]


def test_a_filter_on_an_id_range_is_a_shape_not_a_document() -> None:
    assert document_key(update("a.b", {"_id": {"$in": [1, 2]}})) == "filter{_id}"
    assert document_key(update("a.b", {"_id": 7})) == "_id=7"
    assert document_key({"op": "insert", "command": {}}) is None


def test_current_ops_tally_only_the_platforms_operations() -> None:
    ops = CurrentOps()
    ops.add(
        [
            {"ns": "sslp_line_gateway.outbox", "op": "insert", "command": {"insert": "outbox"}},
            {
                "ns": "sslp_line_gateway.monthly_usage",
                "op": "update",
                "command": {"update": "monthly_usage"},
                "waitingForLock": True,
                "transaction": {},
            },
            {"ns": "sslp_line_gateway.outbox", "op": "getmore", "command": {"getMore": 1}},
            {"ns": "admin.$cmd", "op": "command", "command": {"aggregate": 1}},
        ]
    )
    ops.add([])
    assert ops.samples == 2
    assert ops.active == {
        "sslp_line_gateway.outbox insert": 1,
        "sslp_line_gateway.monthly_usage update": 1,
    }
    assert ops.waiting_for_lock == {"sslp_line_gateway.monthly_usage update": 1}
    assert ops.in_transaction == 1


def test_server_counters_are_read_and_subtracted() -> None:
    def status(conflicts: int, started: int) -> dict[str, object]:
        return {
            "metrics": {"operation": {"writeConflicts": conflicts}},
            "transactions": {"totalStarted": started, "totalCommitted": started, "totalAborted": 0},
            "opcounters": {"insert": 1, "update": 2, "query": 3, "command": 4},
        }

    delta = counter_delta(server_counters(status(3, 10)), server_counters(status(8, 25)))
    assert delta["write conflicts"] == 5
    assert delta["transactions started"] == 15
    assert delta["inserts"] == 0
