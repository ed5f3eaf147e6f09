"""A senior's message through every hop, at a fixed rate: where the whole pipeline saturates.

    .venv/bin/python -m bench.pipeline                          # 4, 8, 16, 32, 64 messages/s
    .venv/bin/python -m bench.pipeline --rates 8,20 --seconds 20 --seniors 100 --keep-going
    .venv/bin/python -m bench.pipeline --model-seconds 2 --rates 25,50 --keep-going

Starts the whole platform in a temporary folder on free ports (the devstack's classes: Kafka,
mongod, the four services, the LINE simulator); Dai-chan answers with the offline responder (no
model configured), or, with `--model-seconds N`, through the OpenAI-compatible test server
(`tools/openai_server`) set to answer every chat and triage call after N seconds (its
`delaySeconds` control, so the seniors' texts carry no markers; moderation answers at once). Per step, `--seniors` new seniors send `rate x seconds` messages in all on a
fixed schedule (open loop: message k leaves at k / rate, from senior k mod seniors, whether or
not earlier ones were answered) through the simulator: simulator -> signed webhook -> gateway
-> `line.inbound` -> ai_chat -> `line.outbound` -> gateway -> reply -> the senior's phone.

End to end is from just before the bench asks the simulator to send the message to the moment
the simulator recorded the answer (one clock: the same machine). An answer is the reply that
used the message's reply token; a push (a reply token that expired on the way) answers the
senior's earliest unanswered message before it. After the sending the step waits until every
message is answered (or `--settle` seconds), polling the phones then, not during the step. Each step
also prints where a message waited, hop by hop (`bench.pipeline_hops`: the Kafka records'
timestamps of the message and of its answer, matched by reply token).

A step **holds** when every message was answered, p99 stayed under `--p99-limit` (1 s, plus
`--model-seconds` when the model is slow: the model's own time is not the pipeline's) and the
bench kept the schedule (it sent at >= 95 % of the rate). The first step that does not hold is
where the pipeline saturates; by default the run stops there. Figures are printed with the
1-minute load average: absolute rates on a shared 2-core machine are provisional.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
import httpx

from bench.ai_chat_throughput import cpu_seconds
from bench.capacity.measure import TEXTS
from bench.pipeline_hops import HOPS, Hops, produced_at, split
from bench.webhook_bodies import percentile
from services.common.time import utcnow
from tools.devstack.stack import Stack, StackConfig


@dataclass(frozen=True)
class Sent:
    user: str
    index: int  # within the step, in sending order
    at: datetime
    reply_token: str | None
    status: int  # the gateway's answer to the webhook, as the simulator saw it
    webhook_seconds: float  # the bench's request to the simulator, webhook included


@dataclass(frozen=True)
class Answer:
    at: datetime
    via: str
    reply_token: str | None

    @classmethod
    def from_inbox(cls, entry: dict[str, Any]) -> Answer:
        return cls(
            at=datetime.fromisoformat(entry["at"]),
            via=str(entry["via"]),
            reply_token=entry.get("replyToken"),
        )


def answered_at(sent: Sequence[Sent], inbox: Sequence[Answer]) -> list[datetime | None]:
    """For one senior's messages (in sending order), when each was first answered: by the reply
    that used its token, else by a push that came after it while it was the earliest message
    still unanswered (per-user order holds, so a push answers the oldest open message)."""
    by_token: dict[str, datetime] = {}
    pushes: list[Answer] = []
    for answer in sorted(inbox, key=lambda a: a.at):
        if answer.reply_token is not None:
            by_token.setdefault(answer.reply_token, answer.at)
        elif answer.via == "push":
            pushes.append(answer)
    found: list[datetime | None] = [
        by_token.get(message.reply_token) if message.reply_token else None for message in sent
    ]
    waiting = iter(pushes)
    push = next(waiting, None)
    for position, message in enumerate(sent):
        if found[position] is not None:
            continue
        while push is not None and push.at < message.at:
            push = next(waiting, None)
        if push is None:
            break
        found[position] = push.at
        push = next(waiting, None)
    return found


@dataclass(frozen=True)
class Step:
    rate: float
    planned: int
    sent: int
    send_seconds: float  # first to last send
    answered: int
    latencies: tuple[float, ...]  # seconds, message to first answer, answered ones
    webhook: tuple[float, ...]  # seconds, the bench's request to the simulator
    refused: int  # webhooks the gateway did not answer 2xx at the first attempt
    load: float
    cores: dict[str, float]
    hops: Hops | None = None

    @property
    def achieved_rate(self) -> float:
        # n messages sent over a span of (n - 1) intervals.
        return (self.sent - 1) / self.send_seconds if self.sent > 1 and self.send_seconds else 0.0

    @property
    def unanswered(self) -> int:
        return self.sent - self.answered

    def p(self, share: float) -> float:
        return percentile(self.latencies, share)

    def holds(self, p99_limit: float) -> bool:
        return (
            self.sent == self.planned
            and self.unanswered == 0
            and self.p(0.99) < p99_limit
            and self.achieved_rate >= 0.95 * self.rate
        )


def step_of(
    rate: float,
    planned: int,
    sent: Sequence[Sent],
    inboxes: dict[str, list[Answer]],
    *,
    load: float,
    cores: dict[str, float],
) -> Step:
    latencies: list[float] = []
    by_user: dict[str, list[Sent]] = {}
    for message in sorted(sent, key=lambda m: m.index):
        by_user.setdefault(message.user, []).append(message)
    for user, messages in by_user.items():
        for message, when in zip(
            messages, answered_at(messages, inboxes.get(user, [])), strict=True
        ):
            if when is not None:
                latencies.append((when - message.at).total_seconds())
    times = [m.at for m in sent]
    return Step(
        rate=rate,
        planned=planned,
        sent=len(sent),
        send_seconds=(max(times) - min(times)).total_seconds() if times else 0.0,
        answered=len(latencies),
        latencies=tuple(latencies),
        webhook=tuple(m.webhook_seconds for m in sent),
        refused=sum(1 for m in sent if not 200 <= m.status < 300),
        load=load,
        cores=cores,
    )


def saturation(steps: Iterable[Step], p99_limit: float) -> tuple[float | None, float | None]:
    """(the highest rate that held before any step failed, the first rate that did not)."""
    held: float | None = None
    for step in sorted(steps, key=lambda s: s.rate):
        if not step.holds(p99_limit):
            return held, step.rate
        held = step.rate
    return held, None


HEADER = (
    "| messages/s (sent at) | sent | answered | end to end p50 / p99 | webhook p50 / p99 "
    "| refused | load | CPU cores |"
)


def row(step: Step) -> str:
    cores = ", ".join(f"{name} {value:.2f}" for name, value in step.cores.items())
    webhook = f"{percentile(step.webhook, 0.5):.2f} / {percentile(step.webhook, 0.99):.2f} s"
    return (
        f"| {step.rate:g} ({step.achieved_rate:.1f}) | {step.sent} | {step.answered} "
        f"| {step.p(0.5):.2f} / {step.p(0.99):.2f} s | {webhook} | {step.refused} "
        f"| {step.load:.1f} | {cores} |"
    )


def hop_line(step: Step) -> str:
    return step.hops.summary() if step.hops is not None else "not measured"


class Pipeline:
    def __init__(self, stack: Stack, args: argparse.Namespace) -> None:
        self.stack = stack
        self.args = args
        self.http = httpx.AsyncClient(
            base_url=stack.config.url("line_simulator"),
            timeout=120.0,
            limits=httpx.Limits(
                max_connections=500, max_keepalive_connections=100, keepalive_expiry=2.0
            ),
        )
        # The load generator's own client is aiohttp's: httpx's pool scans every connection it
        # holds (a readability check, a system call, on each idle one) for every request; at
        # 25 messages/s that kept this process's event loop busy 94 % of the time and the
        # schedule slipped (bench/PROFILE_issue11.md). The inbox polls stay on httpx.
        self.load = aiohttp.ClientSession(
            base_url=stack.config.url("line_simulator"),
            timeout=aiohttp.ClientTimeout(total=120.0),
            connector=aiohttp.TCPConnector(limit=500, keepalive_timeout=2.0),
        )

    async def close(self) -> None:
        await self.load.close()
        await self.http.aclose()

    async def send(self, user: str, index: int, sent: list[Sent]) -> None:
        at = utcnow()
        started = time.perf_counter()
        async with self.load.post(
            f"/sim/users/{user}/messages", json={"text": TEXTS[index % len(TEXTS)]}
        ) as response:
            response.raise_for_status()
            answer = await response.json()
        taken = time.perf_counter() - started
        sent.append(Sent(user, index, at, answer.get("replyToken"), int(answer["status"]), taken))

    async def step(self, rate: float) -> Step:
        users = [f"U{uuid4().hex}" for _ in range(self.args.seniors)]
        planned = max(1, round(rate * self.args.seconds))
        sent: list[Sent] = []
        loop = asyncio.get_running_loop()
        before = cpu_seconds(self.stack)
        started = loop.time()
        tasks = []
        for k in range(planned):
            await asyncio.sleep(max(started + k / rate - loop.time(), 0.0))
            tasks.append(asyncio.create_task(self.send(users[k % len(users)], k, sent)))
        await asyncio.gather(*tasks)
        inboxes = await self.settle(users, sent)
        elapsed = loop.time() - started
        after = cpu_seconds(self.stack)
        hops = await self.hops(sent, inboxes)
        cores: dict[str, float] = {
            name: (after[name] - before.get(name, 0.0)) / elapsed
            for name in (
                "line_gateway",
                "line_gateway_sender",
                "ai_chat",
                "helpdesk",
                "mongod",
                "kafka",
                "line_simulator",
                "openai_server",
            )
            if name in after
        }
        step = step_of(rate, planned, sent, inboxes, load=os.getloadavg()[0], cores=cores)
        return replace(step, hops=hops)

    async def hops(self, sent: list[Sent], inboxes: dict[str, list[Answer]]) -> Hops:
        # Read after the CPU figures are taken, so reading the topics is not counted as Kafka's.
        tokens = {m.reply_token for m in sent if m.reply_token}
        topics = await produced_at(self.stack.bootstrap_servers, tokens)
        answered: dict[str, datetime] = {}
        for answer in sorted((a for e in inboxes.values() for a in e), key=lambda a: a.at):
            if answer.reply_token is not None:
                answered.setdefault(answer.reply_token, answer.at)
        return split(sent, topics["line.inbound"], topics["line.outbound"], answered)

    async def settle(self, users: list[str], sent: list[Sent]) -> dict[str, list[Answer]]:
        """The phones once every message is answered, or at `--settle` seconds."""
        deadline = time.monotonic() + self.args.settle
        inboxes: dict[str, list[Answer]] = {}
        by_user: dict[str, list[Sent]] = {}
        for message in sorted(sent, key=lambda m: m.index):
            by_user.setdefault(message.user, []).append(message)
        open_users = [u for u in users if u in by_user]
        gate = asyncio.Semaphore(16)

        async def read(user: str) -> None:
            async with gate:
                response = await self.http.get(f"/sim/users/{user}/inbox")
            response.raise_for_status()
            inboxes[user] = [Answer.from_inbox(e) for e in response.json()["messages"]]

        while open_users:
            await asyncio.gather(*(read(user) for user in open_users))
            open_users = [
                user
                for user in open_users
                if None in answered_at(by_user[user], inboxes.get(user, []))
            ]
            if not open_users or time.monotonic() > deadline:
                break
            await asyncio.sleep(1.0)
        return inboxes


def stack_config(folder: Path, *, model_seconds: float | None = None) -> StackConfig:
    """Without `model_seconds` no OPENAI_API_KEY, so Dai-chan's offline responder answers;
    with it, ai_chat calls the test server (which `run` makes that slow)."""
    config = StackConfig.isolated(folder, with_openai_server=model_seconds is not None)
    config.env = {
        "SSL_ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "AI_CHAT_CHECKIN_POLL_SECONDS": "3600",
    }
    if model_seconds is not None:
        config.env |= {
            "OPENAI_API_KEY": "bench-key",
            "OPENAI_BASE_URL": f"{config.url('openai_server')}/v1",
            "OPENAI_MODEL": "bench-model",
            # The default 8 s would cut a slow model short and answer with the fallback.
            "AI_CHAT_OPENAI_TIMEOUT_SECONDS": str(model_seconds + 10),
            "AI_CHAT_OPENAI_MAX_RETRIES": "0",
        }
    return config


def p99_limit(args: argparse.Namespace) -> float:
    if args.p99_limit is not None:
        return float(args.p99_limit)
    return 1.0 + (args.model_seconds or 0.0)


async def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    rates = [float(r) for r in args.rates.split(",") if r]
    limit = p99_limit(args)
    steps: list[Step] = []
    hop_lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sslp-pipeline-") as folder:
        stack = Stack(stack_config(Path(folder), model_seconds=args.model_seconds))
        out.write(f"starting the platform in {folder} ...\n")
        started = time.monotonic()
        await stack.start_infrastructure()
        await stack.start_apps(timeout=300)
        if args.model_seconds is not None:
            async with httpx.AsyncClient(base_url=stack.config.url("openai_server")) as stand_in:
                control = {"delaySeconds": args.model_seconds}
                (await stand_in.post("/control", json=control)).raise_for_status()
        pipeline = Pipeline(stack, args)
        try:
            quota = {"limit": 10_000_000, "used": 0}
            (await pipeline.http.post("/sim/quota", json=quota)).raise_for_status()
            warm = await pipeline.step(2.0) if args.warm_up else None
            if warm is not None:
                out.write(f"warm-up: {row(warm)}\n")
                out.write(f"  warm-up per hop, p50 / p99: {hop_line(warm)}\n")
            out.write(f"{HEADER}\n|---|---:|---:|---|---|---:|---:|---|\n")
            out.flush()
            for rate in rates:
                step = await pipeline.step(rate)
                steps.append(step)
                out.write(row(step) + "\n")
                hop_lines.append(f"  {step.rate:g}/s per hop, p50 / p99: {hop_line(step)}")
                out.flush()
                if not step.holds(limit) and not args.keep_going:
                    break
        finally:
            await pipeline.close()
            stack.stop()
    if hop_lines:
        out.write("\nwhere a message waited (" + ", then ".join(HOPS) + "):\n")
        out.write("\n".join(hop_lines) + "\n")
    held, saturated = saturation(steps, limit)
    model = (
        "offline responder"
        if args.model_seconds is None
        else f"the test model answering after {args.model_seconds:g} s"
    )
    out.write(
        f"\nheld (every message answered, p99 < {limit:g} s, on schedule) up to: "
        f"{'none' if held is None else f'{held:g} messages/s'}; saturated at: "
        f"{'not reached' if saturated is None else f'{saturated:g} messages/s'}\n"
        f"({model}; {time.monotonic() - started:.0f} s in all, {args.seniors} seniors per step, "
        f"{args.seconds:g} s of sending per step; load average now {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores)\n"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="4,8,16,32,64", help="messages/s, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="of sending per step")
    parser.add_argument("--seniors", type=int, default=100, help="new seniors per step")
    parser.add_argument("--settle", type=float, default=120.0, help="max wait for the answers")
    parser.add_argument(
        "--p99-limit", type=float, default=None, help="seconds (default 1 + --model-seconds)"
    )
    parser.add_argument(
        "--model-seconds",
        type=float,
        default=None,
        help="answer through the test model, each chat and triage call taking this long",
    )
    parser.add_argument("--keep-going", action="store_true", help="past the first failed step")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
