"""One chaos scenario on a running stack: seniors talk to Dai-chan while one process is SIGKILLed.

Seniors send their messages at a steady pace through the LINE simulator (signed webhooks to the
gateway, LINE-style redelivery on), Dai-chan answers through the OpenAI-compatible test server,
and LINE's answers to some replies fail after LINE accepted them (a 500, and a timeout) at the
start and again once the killed process is back. At `kill_after` of the sending time the target
is killed with SIGKILL and started again `downtime` seconds later. When the seniors are done the
scenario waits until every message has its answer and nothing new arrives for `quiet` seconds,
then judges what the seniors' phones show (`analysis.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

import httpx

from bench.chaos.analysis import Delivery, Outcome, Sent, answered_by, judge, text_of
from bench.kafka_read import records_to_end
from services.common.events import decode_event
from services.common.events.contracts.line import DeliveryCompleted, DeliveryMethod
from services.common.time import utcnow
from services.line_gateway.domain.delivery import REPLY_OUTCOME_UNKNOWN, retry_key_for
from tools.devstack.stack import Stack

INFRASTRUCTURE = ("kafka", "mongod")
# LINE takes the reply, then its answer fails (500) or never comes in time (the gateway gives up
# after 5 s): the gateway must neither lose nor double the reply.
REPLY_FAULTS = (
    {"endpoint": "reply", "status": 500, "afterAccept": True},
    {"endpoint": "reply", "delaySeconds": 7, "afterAccept": True},
)


# What a scenario does to the platform instead of killing one process and starting it again (the
# cluster's failovers, bench/chaos/failover.py): returns when it killed (or began); the scenario
# then waits until every app is ready again.
Disruption = Callable[[Stack], Awaitable[datetime]]


@dataclass(frozen=True)
class Plan:
    # A service, "kafka", "mongod", None for a run without a kill, or a disruption's name.
    target: str | None
    seniors: int = 100
    messages: int = 10
    interval: float = 8.0  # seconds between one senior's messages
    kill_after: float = 0.3  # share of the sending time before the kill
    downtime: float = 2.0
    quiet: float = 10.0
    settle_timeout: float = 300.0
    reply_faults: bool = True

    @property
    def name(self) -> str:
        return self.target or "no kill"


@dataclass(frozen=True)
class Result:
    plan: Plan
    outcome: Outcome
    acknowledged: int  # webhooks that got a 2xx, at the first attempt or a redelivery
    after_redelivery: int  # of those, acknowledged only by a redelivery
    killed_at: datetime | None
    back_at: datetime | None
    reply_faults_left: int  # injected reply faults no reply reached (0: all were exercised)

    @property
    def clean(self) -> bool:
        return self.outcome.lost == 0 and self.outcome.doubled == 0


class Chaos:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.http = httpx.AsyncClient(
            base_url=stack.config.url("line_simulator"),
            timeout=60.0,
            # Idle connections are dropped well before the simulator's server closes them (5 s),
            # so a request never goes out on a connection the other end is just closing.
            limits=httpx.Limits(
                max_connections=400, max_keepalive_connections=100, keepalive_expiry=2.0
            ),
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def prepare(self) -> None:
        """An allowance no scenario can exhaust: held sends would look like lost ones."""
        (
            await self.http.post("/sim/quota", json={"limit": 10_000_000, "used": 0})
        ).raise_for_status()

    async def run(self, plan: Plan, disruption: Disruption | None = None) -> Result:
        users = [f"U{uuid4().hex}" for _ in range(plan.seniors)]
        sent: dict[str, list[Sent]] = {user: [] for user in users}
        recovered_before = (await self._redelivery())["recovered"]
        if plan.reply_faults:
            await self._reply_faults()
        duration = plan.messages * plan.interval
        killing = asyncio.create_task(self._kill_and_restart(plan, duration, disruption))
        await asyncio.gather(
            *(
                self._senior(user, sent[user], plan, offset=i * plan.interval / plan.seniors)
                for i, user in enumerate(users)
            )
        )
        killed_at, back_at = await killing
        inboxes = await self._settle(sent, plan)
        recovered = (await self._redelivery())["recovered"] - recovered_before
        faults = (await self.http.get("/sim/faults")).json()["faults"]
        outcome = judge(
            {user: (sent[user], inboxes[user]) for user in users},
            resend_keys=await self._resend_keys(set(users)),
            killed_at=killed_at,
            back_at=back_at,
        )
        return Result(
            plan=plan,
            outcome=outcome,
            acknowledged=outcome.acknowledged_first + recovered,
            after_redelivery=recovered,
            killed_at=killed_at,
            back_at=back_at,
            reply_faults_left=len(faults),
        )

    # -- the seniors -----------------------------------------------------------------------------

    async def _senior(self, user: str, sent: list[Sent], plan: Plan, *, offset: float) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(offset)
        start = loop.time()
        for index in range(plan.messages):
            at = utcnow()
            response = await self.http.post(
                f"/sim/users/{user}/messages", json={"text": text_of(index)}
            )
            response.raise_for_status()
            answer = response.json()
            sent.append(
                Sent(
                    index=index,
                    at=at,
                    reply_token=answer.get("replyToken"),
                    acknowledged=200 <= int(answer["status"]) < 300,
                )
            )
            await asyncio.sleep(max(start + (index + 1) * plan.interval - loop.time(), 0.0))

    # -- the kill --------------------------------------------------------------------------------

    async def _kill_and_restart(
        self, plan: Plan, duration: float, disruption: Disruption | None = None
    ) -> tuple[datetime | None, datetime | None]:
        if plan.target is None:
            return None, None
        await asyncio.sleep(duration * plan.kill_after)
        target = plan.target
        stack = self.stack
        if disruption is not None:
            killed_at = await disruption(stack)
        elif target in INFRASTRUCTURE:
            node = stack.kafka if target == "kafka" else stack.mongo
            await asyncio.to_thread(node.process.kill)
            killed_at = utcnow()
            await asyncio.sleep(plan.downtime)
            # Kafka's start formats its storage first, a blocking JVM run: off the event loop.
            await asyncio.to_thread(node.start)
            await node.wait_ready(timeout=300)
        else:
            process = stack.apps[target]
            env = dict(process.env)
            await asyncio.to_thread(process.kill)
            killed_at = utcnow()
            await asyncio.sleep(plan.downtime)
            stack.launch_apps([target], env=env)
        not_ready = await stack.wait_apps_ready(list(stack.apps), timeout=300)
        if not_ready:
            raise RuntimeError(f"not ready again after the kill: {not_ready}")
        back_at = utcnow()
        if plan.reply_faults:
            await self._reply_faults()
        return killed_at, back_at

    async def _reply_faults(self) -> None:
        for fault in REPLY_FAULTS:
            (await self.http.post("/sim/faults", json=fault)).raise_for_status()

    # -- waiting for the answers -------------------------------------------------------------------

    async def _settle(self, sent: dict[str, list[Sent]], plan: Plan) -> dict[str, list[Delivery]]:
        """Inboxes once every message is answered and nothing new came for `plan.quiet` s (or
        at `plan.settle_timeout`), with no webhook redelivery pending."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + plan.settle_timeout
        last_change = loop.time()
        seen = -1
        while True:
            inboxes = await self._inboxes(list(sent))
            count = sum(len(found) for found in inboxes.values())
            if count != seen:
                seen, last_change = count, loop.time()
            unanswered = sum(
                1
                for user, messages in sent.items()
                for index, found in answered_by(messages, inboxes[user]).items()
                if index >= 0 and not found
            )
            pending = (await self._redelivery())["pending"]
            now = loop.time()
            if not unanswered and not pending and now - last_change >= plan.quiet:
                return inboxes
            if now > deadline:
                return inboxes
            await asyncio.sleep(2.0)

    async def _inboxes(self, users: list[str]) -> dict[str, list[Delivery]]:
        gate = asyncio.Semaphore(32)

        async def one(user: str) -> tuple[str, list[Delivery]]:
            async with gate:
                response = await self.http.get(f"/sim/users/{user}/inbox")
            response.raise_for_status()
            return user, [Delivery.from_inbox(e) for e in response.json()["messages"]]

        return dict(await asyncio.gather(*(one(user) for user in users)))

    async def _redelivery(self) -> dict[str, Any]:
        response = await self.http.get("/sim/redelivery")
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    async def _resend_keys(self, users: set[str]) -> set[str]:
        """Retry keys of the pushes the gateway sent because a reply's outcome was unknown."""
        keys: set[str] = set()
        async for record in records_to_end(self.stack.bootstrap_servers, ["line.deliveries"]):
            keys |= _resend_key(record.value, users)
        return keys


def _resend_key(value: bytes, users: set[str]) -> set[str]:
    with contextlib.suppress(Exception):
        event = decode_event(value)
        data = event.data
        if (
            isinstance(data, DeliveryCompleted)
            and data.user_id in users
            and data.method is DeliveryMethod.PUSH
            and data.reason == REPLY_OUTCOME_UNKNOWN
        ):
            return {retry_key_for(data.command_id)}
    return set()
