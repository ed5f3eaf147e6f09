"""`python -m bench.capacity --simulate-month`: one month of the programme on the real stack.

A cohort of `--borrowers` (800, as in phase 3) is imported from a municipality's CSV, drawn,
attends its explanatory session and borrows tablets whose six months end during the simulated
month (due dates spread over its days); `--linked-share` of them link LINE with their code through
the simulator, and some book follow-up sessions by postback. Then each simulated day:
tablet_lending is restarted on that day at 10:00 Japan time (TABLET_LENDING_CLOCK_START, its
injected clock), loans due that day are returned (`--return-share`, the rest go overdue), the
scheduler runs (reminders by LINE or as helpdesk call tasks, overdue escalation, session
reminders), and the linked seniors chat with Dai-chan: a share of them are active, each at a rate
drawn from an exponential distribution (a few talk a lot, most a little), ten per cent of
messages asking about their loan or sessions. `--chat-scale` scales the chat volume down for a
shorter run.

Only tablet_lending's time can be moved: ai_chat, line_gateway and the helpdesk read the wall
clock (services.common.time.utcnow), so their time-driven work (daily greetings, the daily token
budget, monthly LINE counters, SLA clocks, retention) happens in the real minutes the run takes.
The run therefore turns ai_chat's daily token budget off (a month of one senior's talk falls into
one real day) and does not simulate greetings; the README's "Capacity and cost" says so.

The counts are compared with what the model predicts from measured.json and the assumptions for the
same population and the messages actually sent; the result goes to bench/capacity/month.json.
"""

from __future__ import annotations

import asyncio
import math
import random
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.common.time import JST, utcnow
from services.tablet_lending.domain.dates import add_months
from tools.devstack.stack import Stack

PROGRAMME_QUESTIONS = ("いつタブレットを返すの？", "次の講座はいつ？")
PASSWORDS = {"operator": "operator-demo-pass", "supervisor": "supervisor-demo-pass"}
IKUNO = {"code": "27116", "name": "大阪市生野区"}
CSV_HEADER = (
    "申込番号,姓,名,セイ,メイ,生年月日,郵便番号,住所,市区町村コード,電話番号,規約同意,規約版,同意日"
)


class Lending:
    """tablet_lending's admin API, signed in (again after each restart)."""

    def __init__(self, base_url: str, role: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=60.0)
        self.role = role

    async def sign_in(self) -> None:
        response = await self.http.post(
            "/auth/token", json={"username": self.role, "password": PASSWORDS[self.role]}
        )
        response.raise_for_status()
        self.http.headers["authorization"] = f"Bearer {response.json()['access_token']}"

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        if not response.is_success:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None


def applicants_csv(count: int, consent_on: date) -> bytes:
    """Fictional applicants, each with their own birthdate (so none is the same person twice)."""
    rows = [CSV_HEADER]
    for i in range(count):
        born = date(1945, 1, 1) + timedelta(days=7 * i)
        rows.append(
            f"SIM-{i:05d},試験,花子,シケン,ハナコ,{born.isoformat()},544-0034,"
            f"大阪市生野区桃谷1-1-1（試験）,27116,06-0000-1234,同意,v1,{consent_on:%Y/%m/%d}"
        )
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def poisson(rng: random.Random, rate: float) -> int:
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


async def gather_limited(limit: int, jobs: list[Any]) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def run(job: Any) -> Any:
        async with gate:
            return await job

    return await asyncio.gather(*(run(job) for job in jobs))


class Senior:
    def __init__(self, client: httpx.AsyncClient, user: str, timeout: float) -> None:
        self.client, self.user, self.timeout = client, user, timeout

    async def sends(self) -> int:
        return len((await self.client.get(f"/sim/users/{self.user}/inbox")).json()["messages"])

    async def wait_for(self, count: int) -> bool:
        deadline = asyncio.get_running_loop().time() + self.timeout
        while asyncio.get_running_loop().time() < deadline:
            if await self.sends() >= count:
                return True
            await asyncio.sleep(0.5)
        return False

    async def say(self, texts: list[str]) -> int:
        answered = 0
        for text in texts:
            before = await self.sends()
            response = await self.client.post(
                f"/sim/users/{self.user}/messages", json={"text": text}
            )
            response.raise_for_status()
            answered += await self.wait_for(before + 1)
        return answered


async def set_up(
    stack: Stack,
    *,
    borrowers: int,
    linked_share: float,
    days: int,
    sessions: int,
    rng: random.Random,
) -> dict[str, Any]:
    """The cohort on loan, its LINE links and session bookings, on the real (wall) today."""
    today = utcnow().astimezone(JST).date()
    operator = Lending(stack.config.url("tablet_lending"), "operator")
    boss = Lending(stack.config.url("tablet_lending"), "supervisor")
    await operator.sign_in()
    await boss.sign_in()
    cohort_id = f"sim-{uuid4().hex[:8]}"
    await operator.call(
        "POST",
        "/cohorts",
        json={
            "cohort_id": cohort_id,
            "name": "第3期（試算）",
            "areas": [IKUNO],
            "lending_starts_on": (today - timedelta(days=200)).isoformat(),
            "lending_ends_on": (today + timedelta(days=days + 60)).isoformat(),
            "minimum_age": 50,
            "capacity": borrowers,
        },
    )
    report = await operator.call(
        "POST",
        f"/cohorts/{cohort_id}/imports",
        params={"municipality_code": IKUNO["code"], "filename": "applicants.csv"},
        content=applicants_csv(borrowers, today - timedelta(days=30)),
        headers={"content-type": "text/csv"},
    )
    assert report["counts"]["accepted"] == borrowers, report["counts"]
    await boss.call("POST", f"/cohorts/{cohort_id}/lottery", json={"seed": "capacity-month"})
    ids = [
        p["participant_id"]
        for skip in range(0, borrowers, 1000)
        for p in await operator.call(
            "GET", "/participants", params={"cohort_id": cohort_id, "limit": 1000, "skip": skip}
        )
    ]
    now = utcnow()
    session = (
        await operator.call(
            "POST",
            "/sessions",
            json={
                "cohort_id": cohort_id,
                "kind": "explanatory",
                "title": "説明会（試算）",
                "venue": "生野区民センター",
                "starts_at": (now - timedelta(hours=2)).isoformat(),
                "ends_at": (now - timedelta(hours=1)).isoformat(),
                "capacity": borrowers,
            },
        )
    )["session"]
    await gather_limited(
        8,
        [
            operator.call(
                "POST",
                f"/sessions/{session['session_id']}/attendance",
                json={"participant_id": pid, "attended": True},
            )
            for pid in ids
        ],
    )

    async def lend(index: int, pid: str) -> dict[str, Any]:
        due = today + timedelta(days=index % days)
        device = await operator.call(
            "POST",
            "/devices",
            json={
                "device_id": f"SIM-{uuid4().hex[:10].upper()}",
                "serial_number": f"SN-{uuid4().hex}",
                "model": "試算用タブレット",
                "accessories": {"charger": True, "case": True, "sim": True},
            },
        )
        loan: dict[str, Any] = await operator.call(
            "POST",
            "/loans",
            json={
                "participant_id": pid,
                "device_id": device["device_id"],
                "issued_on": add_months(due, -6).isoformat(),
            },
        )
        return loan

    loans = await gather_limited(8, [lend(i, pid) for i, pid in enumerate(ids)])
    linked = rng.sample(ids, round(linked_share * borrowers))
    codes = {
        pid: (await operator.call("POST", f"/participants/{pid}/link-code"))["code"]
        for pid in linked
    }
    follow_ups = [
        (
            await operator.call(
                "POST",
                "/sessions",
                json={
                    "cohort_id": cohort_id,
                    "kind": "follow_up",
                    "title": "フォローアップ講座（試算）",
                    "venue": "生野区民センター",
                    "starts_at": datetime.combine(
                        today + timedelta(days=2 + k * days // sessions), time(14), JST
                    ).isoformat(),
                    "ends_at": datetime.combine(
                        today + timedelta(days=2 + k * days // sessions), time(15, 30), JST
                    ).isoformat(),
                    "capacity": 40,
                },
            )
        )["session"]
        for k in range(sessions)
    ]
    await operator.http.aclose()
    await boss.http.aclose()
    return {
        "cohort_id": cohort_id,
        "today": today,
        "loans": loans,
        "codes": codes,
        "follow_ups": [s["session_id"] for s in follow_ups],
    }


async def link_seniors(
    client: httpx.AsyncClient, codes: dict[str, str], timeout: float
) -> dict[str, Senior]:
    """Each linked borrower follows the account and sends their code, as on paper."""
    # Give line_gateway time to learn the codes from lending.events first.
    await asyncio.sleep(5.0)

    async def link(code: str) -> Senior:
        senior = Senior(client, "U" + uuid4().hex, timeout)
        (await client.post(f"/sim/users/{senior.user}/follow")).raise_for_status()
        await senior.wait_for(1)
        await senior.say([f"{code[:4]} {code[4:]}"])
        return senior

    seniors = await gather_limited(16, [link(code) for code in codes.values()])
    return dict(zip(codes, seniors, strict=True))


async def topic_records(bootstrap: str, topic: str, start: dict[int, int]) -> list[Any]:
    """Every record of a topic after the offsets in `start` (partition -> offset)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in start]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, start[tp.partition])
        records = []
        while True:
            positions = [await consumer.position(tp) for tp in partitions]
            if all(
                position >= ends[tp] for position, tp in zip(positions, partitions, strict=True)
            ):
                break
            batch = await consumer.getmany(timeout_ms=1000)
            for items in batch.values():
                records.extend(items)
        return records
    finally:
        await consumer.stop()


async def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        partitions = [TopicPartition(topic, p) for p in cluster.partitions_for_topic(topic) or ()]
        return {
            tp.partition: offset for tp, offset in (await consumer.end_offsets(partitions)).items()
        }
    finally:
        await consumer.stop()
