"""The capacity model's arithmetic, LINE's bill, the measuring mode's bookkeeping, and the command."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bench.capacity import pricing
from bench.capacity.__main__ import MEASURED, MONTH
from bench.capacity.assumptions import Assumptions
from bench.capacity.measure import summarise
from bench.capacity.model import collections, estimate
from bench.capacity.month import applicants_csv, poisson
from bench.capacity.simulate import chat_plan, compare
from services.tablet_lending.domain.csv_import import parse_file
from tests.deploy.support import ROOT


def measured() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MEASURED.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(
    ("billable", "plan", "yen"),
    [
        (0, "communication (free)", 0),
        (200, "communication (free)", 0),
        (201, "light", 5_000),
        (5_000, "light", 5_000),
        (5_001, "standard", 15_000),
        (30_001, "standard", 15_000 + 3),
        (30_000, "standard", 15_000),
        # LINE's own worked example: 70,000 beyond the allowance = 3 × 50,000 + 2.8 × 20,000.
        (100_000, "standard", 15_000 + 206_000),
    ],
)
def test_line_bill_takes_the_cheapest_plan_that_can_send(billable: int, plan: str, yen: float):
    bill = pricing.line_bill(billable)
    assert bill.plan == plan
    assert bill.yen == pytest.approx(yen)


def test_tiers_are_parsed_and_must_end_unbounded():
    tiers = pricing.parse_tiers("10:3,inf:1")
    assert pricing.extra_messages_yen(15, tiers) == pytest.approx(10 * 3 + 5 * 1)
    with pytest.raises(ValueError, match="inf"):
        pricing.parse_tiers("10:3,20:2")


def test_model_prices_are_ai_chats_own_defaults():
    defaults = Assumptions()
    assert defaults.input_yen_per_million == pricing.INPUT_YEN_PER_MILLION == 22.5
    assert defaults.output_yen_per_million == pricing.OUTPUT_YEN_PER_MILLION == 90.0


def test_traffic_follows_the_assumptions():
    a = Assumptions()
    e = estimate(100_000, a, measured())
    assert e.active == pytest.approx(100_000 * a.active_share)
    assert e.messages_month == pytest.approx(e.active * a.messages_per_active_day * 30)
    assert e.peak_per_second == pytest.approx(
        e.active * a.messages_per_active_day * a.peak_hour_share / 3600
    )
    bigger = estimate(1_000_000, a, measured())
    assert bigger.messages_month == pytest.approx(10 * e.messages_month)
    assert bigger.mongo_writes_per_second == pytest.approx(10 * e.mongo_writes_per_second)
    assert all(count >= a.min_instances for count in e.instances.values())


def test_instances_grow_with_load_and_ai_chat_is_bound_by_answers_in_flight():
    a = Assumptions()
    small = estimate(1_640, a, measured())
    assert set(small.instances.values()) == {2}
    slow_model = replace(a, model_latency_seconds=60.0, min_instances=1)
    e = estimate(2_400_000, slow_model, measured())
    # 256 answers in flight, each waiting 60 s, are 4.3 answers per second per instance.
    assert e.instances["ai_chat"] >= e.sizing_per_second / (256 / 60.0)


def test_model_cost_is_tokens_times_prices():
    a = replace(Assumptions(), input_tokens_per_turn=1_000, output_tokens_per_turn=100)
    e = estimate(100_000, a, measured())
    turns = e.messages_month * a.model_share
    assert e.model_yen == pytest.approx(turns * (1_000 * 22.5 + 100 * 90.0) / 1e6)
    assert e.yen_per_active == pytest.approx((e.line_yen + e.model_yen) / e.active)


def test_collections_are_told_apart_by_documents_per_senior():
    found = {c.name: c for c in collections(measured())}
    assert found["sslp_line_gateway.line_users"].per_senior
    assert found["sslp_ai_chat.seniors"].per_senior
    processed = found["sslp_line_gateway.processed_events"]
    assert not processed.per_senior
    assert processed.ttl_days == 30


def test_the_measured_file_is_complete_and_dated():
    data = measured()
    assert data["measured_at"]
    assert data["machine"]["cores"]
    assert data["answered"] == data["messages"] > 0
    for name in ("line_gateway", "ai_chat", "helpdesk", "tablet_lending", "mongod", "kafka"):
        assert data["cpu_ms_per_message"][name] > 0, name
    assert {"line.inbound", "line.outbound"} <= set(data["kafka"])
    assert data["line"]["reply"] > 0
    assert data["model"]["tokens_per_message"]["input"] > 0


def test_summarise_charges_only_cpu_beyond_idle_per_message():
    def snap(cpu: float, at: float, docs: int, records: int) -> dict[str, Any]:
        return {
            "cpu": {"ai_chat": cpu},
            "at": at,
            "mongo": {
                "inserted": docs,
                "updated": 0,
                "deleted": 0,
                "transactions": docs,
                "collections": {
                    "db.c": {
                        "docs": docs,
                        "bytes": docs * 100,
                        "index_bytes": docs * 10,
                        "ttl_seconds": 86400,
                    }
                },
            },
            "kafka": {"records": {"t": records}, "bytes": {"t": records * 500}},
            "metrics": {
                "sends": {"reply": records},
                "billable": {},
                "model_calls": {},
                "tokens": {},
            },
        }

    result = summarise(
        snap(1.0, 0.0, 0, 0),
        snap(3.0, 10.0, 40, 20),
        seniors=2,
        messages=20,
        answered=20,
        idle={
            "cpu": {"ai_chat": 0.1},
            "mongo": {"inserted": 1.0, "updated": 0.0, "deleted": 0.0, "transactions": 0.0},
        },
    )
    # 2 s used, 1 s of it idle (0.1 cores × 10 s): 1 s over 20 messages.
    assert result["cpu_ms_per_message"]["ai_chat"] == pytest.approx(50.0)
    # 40 documents inserted, 10 of them by the idle background (1/s × 10 s).
    assert result["mongodb"]["inserted_per_message"] == pytest.approx(30 / 20)
    collection = result["mongodb"]["collections"]["db.c"]
    assert collection["docs_per_message"] == 2
    assert collection["docs_per_senior"] == 20
    assert collection["bytes_per_doc"] == 100
    assert collection["ttl_days"] == 1
    assert result["kafka"]["t"] == {"records_per_message": 1.0, "bytes_per_record": 500.0}


def test_the_command_prints_the_three_scenarios():
    done = subprocess.run(
        [sys.executable, "-m", "bench.capacity", "--active-share", "0.5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    header = done.stdout.splitlines()[0]
    for name in ("today's programme", "100,000 friends", "2.4 million seniors"):
        assert name in header
    assert "| active seniors (write in a month) | 820 | 50,000 | 1,200,000 |" in done.stdout
    assert "yen per active senior per month" in done.stdout


# -- the simulated month ---------------------------------------------------------------------


def test_the_simulated_applicants_are_a_file_the_lending_import_accepts_whole():
    raw = applicants_csv(800, date(2026, 11, 1))
    parsed = parse_file(raw, terms_version="v1", municipality_code="27116")
    assert len(parsed.rows) == 800
    assert all(row.problem is None for row in parsed.rows)


def test_the_chat_plan_follows_the_assumptions_with_a_long_tail():
    a = Assumptions()
    seniors = [f"U{i:032x}" for i in range(4000)]
    plan = chat_plan(seniors, a, days=30, scale=1.0, rng=random.Random(1))
    per_senior = Counter(user for day in plan for user, texts in day.items() for _ in texts)
    active = len(per_senior)
    # Active seniors: the share that writes at all (a few of those drawn write nothing).
    assert 0.9 * a.active_share * 4000 < active <= 1.05 * a.active_share * 4000
    total = sum(per_senior.values())
    assert total == pytest.approx(a.active_share * 4000 * a.messages_per_active_day * 30, rel=0.1)
    # A few talk a lot: the busiest tenth sends far more than its share.
    busiest = sorted(per_senior.values(), reverse=True)[: active // 10]
    assert sum(busiest) > 0.25 * total
    assert plan == chat_plan(seniors, a, days=30, scale=1.0, rng=random.Random(1))


def test_poisson_has_the_asked_mean():
    rng = random.Random(5)
    draws = [poisson(rng, 2.5) for _ in range(20_000)]
    assert sum(draws) / len(draws) == pytest.approx(2.5, rel=0.03)


def test_the_month_is_compared_row_by_row_with_the_model():
    a = Assumptions()
    result = {
        "senior_messages": 100,
        "linked": 70,
        "borrowers": 100,
        "days": 30,
        "chat_scale": 1.0,
        "send_commands": {"tablet_lending:lending.loan_reminder": 40, "ai_chat:ai_chat.reply": 100},
        "help_requests": {"tablet_lending:loan_call_task": 12, "ai_chat:person_requested": 1},
        "line_sends": {"reply": 100},
        "model_tokens": {"input": 1000},
        "kafka_records_added": {"line.inbound": 100},
        "mongodb_documents_added": {"sslp_helpdesk.tickets": 5},
    }
    rows = {name: (model, simulated) for name, model, simulated in compare(result, a, measured())}
    assert rows["lending reminders and notices by LINE"] == (
        100 * a.reminders_per_borrower_month,
        40,
    )
    assert rows["lending call and visit tasks for the helpdesk"] == (0.0, 12)
    assert rows["senior messages (chat scale applied)"][0] == pytest.approx(70 * 0.3 * 1.5 * 30)


def test_the_committed_month_answered_everything_and_is_compared():
    month = json.loads(MONTH.read_text(encoding="utf-8"))
    assert month["borrowers"] == 800
    assert month["days"] == 30
    assert month["answered"] == month["senior_messages"] > 0
    assert {row["quantity"] for row in month["comparison"]} >= {
        "lending reminders and notices by LINE",
        "LINE pushes (billable)",
    }
