"""The month itself (bench/capacity/month.py sets it up) and its comparison with the model."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time as clock
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.capacity.assumptions import Assumptions
from bench.capacity.measure import TEXTS, kafka_snapshot, metrics_snapshot, mongo_snapshot
from bench.capacity.model import input_tokens_per_turn
from bench.capacity.month import (
    PROGRAMME_QUESTIONS,
    Lending,
    end_offsets,
    gather_limited,
    link_seniors,
    poisson,
    set_up,
    topic_records,
)
from services.common.events import decode_event
from services.common.events.contracts.helpdesk import HelpRequested
from services.common.events.contracts.line import SendRequested
from services.common.time import JST
from tools.devstack.stack import Stack, StackConfig

RETURN_BODY = {
    "condition": "good",
    "data_wiped": True,
    "accessories_returned": {"charger": True, "case": True, "sim": True},
}


def chat_plan(
    seniors: list[str], a: Assumptions, *, days: int, scale: float, rng: random.Random
) -> list[dict[str, list[str]]]:
    """Per day, who says what: active seniors at exponentially distributed daily rates."""
    rates = {
        user: rng.expovariate(1 / a.messages_per_active_day)
        for user in seniors
        if rng.random() < a.active_share
    }
    plan = []
    for _ in range(days):
        today: dict[str, list[str]] = {}
        for user, rate in rates.items():
            count = poisson(rng, rate * scale)
            if count:
                today[user] = [
                    rng.choice(PROGRAMME_QUESTIONS) if rng.random() < 0.1 else rng.choice(TEXTS)
                    for _ in range(count)
                ]
        plan.append(today)
    return plan


async def simulate(
    *,
    borrowers: int,
    linked_share: float,
    return_share: float,
    chat_scale: float,
    days: int,
    sessions: int,
    booking_share: float,
    timeout: float,
    a: Assumptions,
    measured: dict[str, Any],
    seed: int = 13,
) -> dict[str, Any]:
    rng = random.Random(seed)
    started = clock.monotonic()
    with tempfile.TemporaryDirectory(prefix="sslp-month-") as folder:
        config = StackConfig.isolated(Path(folder), with_openai_server=True)
        config.env = {
            "SSL_ENVIRONMENT": "test",
            "LOG_LEVEL": "WARNING",
            "OPENAI_API_KEY": "bench-key",
            "OPENAI_BASE_URL": f"{config.url('openai_server')}/v1",
            "OPENAI_MODEL": "bench-model",
            # A month of one senior's talk falls into one real day here.
            "AI_CHAT_DAILY_TOKEN_BUDGET": "0",
            "AI_CHAT_CHECKIN_POLL_SECONDS": "3600",
            "LINE_GATEWAY_LINK_MAX_FAILURES": "1000",
        }
        stack = Stack(config)
        await stack.start()
        kafka_data = Path(folder) / "kafka" / "data"
        bootstrap = stack.kafka.bootstrap_servers
        try:
            print(f"setting up {borrowers} borrowers in {folder}", flush=True)
            setup = await set_up(
                stack,
                borrowers=borrowers,
                linked_share=linked_share,
                days=days,
                sessions=sessions,
                rng=rng,
            )
            async with httpx.AsyncClient(base_url=config.url("line_simulator"), timeout=60) as sim:
                seniors = await link_seniors(sim, setup["codes"], timeout)
                users = {senior.user: senior for senior in seniors.values()}
                for senior in rng.sample(list(users.values()), round(booking_share * len(users))):
                    session_id = rng.choice(setup["follow_ups"])
                    await sim.post(
                        f"/sim/users/{senior.user}/postbacks",
                        json={"data": f"lending:book?session={session_id}", "displayText": "予約"},
                    )
                await asyncio.sleep(5.0)
                outbound_start = await end_offsets(bootstrap, "line.outbound")
                requests_start = await end_offsets(bootstrap, "helpdesk.requests")
                before = {
                    "mongo": await mongo_snapshot(stack.mongo.uri),
                    "kafka": await kafka_snapshot(bootstrap, kafka_data),
                    "metrics": await metrics_snapshot(stack),
                }
                plan = chat_plan(list(users), a, days=days, scale=chat_scale, rng=rng)
                due_by_day: dict[str, list[str]] = {}
                for loan in setup["loans"]:
                    due_by_day.setdefault(loan["due_on"], []).append(loan["loan_id"])
                sent = answered = returned = 0
                for day in range(days):
                    on = setup["today"] + timedelta(days=day)
                    start = datetime.combine(on, time(10), JST).astimezone(UTC).isoformat()
                    await stack.restart_app(
                        "tablet_lending", env={"TABLET_LENDING_CLOCK_START": start}
                    )
                    boss = Lending(config.url("tablet_lending"), "supervisor")
                    await boss.sign_in()
                    due = due_by_day.get(on.isoformat(), [])
                    back = rng.sample(due, round(return_share * len(due)))
                    for loan_id in back:
                        await boss.call("POST", f"/loans/{loan_id}/return", json=RETURN_BODY)
                    returned += len(back)
                    await boss.call("POST", "/admin/scheduler/run")
                    await boss.http.aclose()
                    talks = plan[day]
                    sent += sum(len(texts) for texts in talks.values())
                    answered += sum(
                        await gather_limited(
                            12, [users[user].say(texts) for user, texts in talks.items()]
                        )
                    )
                    print(
                        f"day {day + 1}/{days} ({on}): {len(back)}/{len(due)} due loans back, "
                        f"{sum(len(t) for t in talks.values())} messages",
                        flush=True,
                    )
                await asyncio.sleep(5.0)
                after = {
                    "mongo": await mongo_snapshot(stack.mongo.uri),
                    "kafka": await kafka_snapshot(bootstrap, kafka_data),
                    "metrics": await metrics_snapshot(stack),
                }
                outbound = await topic_records(bootstrap, "line.outbound", outbound_start)
                requests = await topic_records(bootstrap, "helpdesk.requests", requests_start)
        finally:
            stack.stop()
    return {
        "borrowers": borrowers,
        "linked": len(setup["codes"]),
        "days": days,
        "chat_scale": chat_scale,
        "returned_on_due_day": returned,
        "senior_messages": sent,
        "answered": answered,
        "wall_minutes": round((clock.monotonic() - started) / 60, 1),
        **counted(before, after, outbound, requests),
    }


def counted(
    before: dict[str, Any], after: dict[str, Any], outbound: list[Any], requests: list[Any]
) -> dict[str, Any]:
    sends: Counter[str] = Counter()
    for record in outbound:
        event = decode_event(record.value)
        if isinstance(event.data, SendRequested):
            sends[f"{event.source}:{event.data.purpose}"] += 1
    tasks: Counter[str] = Counter()
    for record in requests:
        event = decode_event(record.value)
        if isinstance(event.data, HelpRequested):
            tasks[f"{event.source}:{event.data.reason.value}"] += 1

    def delta(key: str) -> dict[str, float]:
        return {
            name: after["metrics"][key][name] - before["metrics"][key].get(name, 0.0)
            for name in after["metrics"][key]
        }

    docs = {
        name: stats["docs"] - before["mongo"]["collections"].get(name, {"docs": 0})["docs"]
        for name, stats in after["mongo"]["collections"].items()
    }
    records = {
        topic: count - before["kafka"]["records"].get(topic, 0)
        for topic, count in after["kafka"]["records"].items()
    }
    return {
        "send_commands": dict(sorted(sends.items())),
        "help_requests": dict(sorted(tasks.items())),
        "line_sends": delta("sends"),
        "model_tokens": delta("tokens"),
        "model_calls": delta("model_calls"),
        "mongodb_documents_added": {k: v for k, v in sorted(docs.items()) if v},
        "kafka_records_added": {k: v for k, v in sorted(records.items()) if v},
    }


def compare(
    result: dict[str, Any], a: Assumptions, measured: dict[str, Any]
) -> list[tuple[str, float, float]]:
    """(quantity, the model's figure for this month, the simulated count)."""
    messages = result["senior_messages"]
    linked = result["linked"]
    reminders = sum(
        count for key, count in result["send_commands"].items() if key.startswith("tablet_lending:")
    )
    call_tasks = sum(
        count for key, count in result["help_requests"].items() if key.startswith("tablet_lending:")
    )
    expected_active = linked * a.active_share
    rows = [
        (
            "senior messages (chat scale applied)",
            expected_active * a.messages_per_active_day * result["days"] * result["chat_scale"],
            messages,
        ),
        (
            "answers by reply",
            messages * (1 - a.push_share_of_answers),
            result["line_sends"].get("reply", 0),
        ),
        (
            "lending reminders and notices by LINE",
            result["borrowers"] * a.reminders_per_borrower_month,
            reminders,
        ),
        ("lending call and visit tasks for the helpdesk", 0.0, call_tasks),
        (
            "LINE pushes (billable)",
            messages * a.push_share_of_answers
            + result["borrowers"] * a.reminders_per_borrower_month,
            result["line_sends"].get("push", 0),
        ),
        (
            "helpdesk tickets opened",
            messages * a.helpdesk_share,
            result["mongodb_documents_added"].get("sslp_helpdesk.tickets", 0),
        ),
        (
            "model input tokens",
            messages * a.model_share * input_tokens_per_turn(a, measured),
            result["model_tokens"].get("input", 0),
        ),
    ]
    model_reminders = result["borrowers"] * a.reminders_per_borrower_month
    for topic in ("line.inbound", "line.outbound", "line.deliveries"):
        per = measured["kafka"].get(topic, {}).get("records_per_message", 0.0)
        # Sends and their outcomes: the answers, and the model's lending reminders.
        extra = model_reminders if topic != "line.inbound" else 0.0
        rows.append(
            (
                f"Kafka records on {topic}",
                per * messages + extra,
                result["kafka_records_added"].get(topic, 0),
            )
        )
    return rows
