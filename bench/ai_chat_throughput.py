"""How many messages per second one ai_chat worker answers when the model takes 2 s.

    .venv/bin/python -m bench.ai_chat_throughput                       # 3000 seniors at once
    .venv/bin/python -m bench.ai_chat_throughput --messages 3000 --rate 60   # open loop, 60/s
    .venv/bin/python -m bench.ai_chat_throughput --delay 2 --in-flight 256
    .venv/bin/python -m bench.ai_chat_throughput --profile /tmp/ai_chat.prof   # where CPU goes

Starts its own Kafka, mongod, the OpenAI-compatible test server (answering chat after `--delay`
seconds) and one ai_chat process with the project's devstack classes, in a temporary folder on
free ports. Publishes `line.message.received` events for distinct seniors straight to
`line.inbound` and measures, per message, from publish to the `line.send.requested` answering it
on `line.outbound` (matched by causation id). Prints messages/s and latency percentiles.
Everything it started stops when it ends (or dies with it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.common.events import decode_event
from services.common.events.contracts.line import MessageReceived, SendRequested
from services.common.events.envelope import encode_event, new_event
from services.common.time import utcnow
from tools.devstack.stack import Stack, StackConfig

TEXTS = (
    "今日は公園まで散歩してきたよ",
    "孫が遊びに来てくれてうれしかった",
    "お昼は何を食べようかな",
    "最近よく眠れるようになったわ",
    "今日はええ天気やね",
)


# uvicorn re-raises SIGTERM after a graceful shutdown, so `python -m cProfile -o` never gets to
# write; a SIGTERM handler installed first is the one uvicorn restores and raises, and it dumps.
PROFILED = """
import cProfile, runpy, signal, sys
profile = cProfile.Profile()
def dump(*_):
    profile.disable()
    profile.dump_stats({path!r})
    sys.exit(0)
signal.signal(signal.SIGTERM, dump)
profile.enable()
runpy.run_module("services.ai_chat", run_name="__main__")
dump()
"""


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process `pid` has used so far, from /proc (OSError if gone)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU time (user + system) each process of the stack has used so far, from /proc."""
    used = {}
    for process in stack.processes():
        pid = process.pid
        if pid is None:
            continue
        try:
            used[process.name] = process_cpu_seconds(pid)
        except OSError:
            continue
    return used


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def message(user: str, text: str) -> MessageReceived:
    return MessageReceived(
        user_id=user,
        webhook_event_id=f"bench-{uuid4().hex}",
        message_id=uuid4().hex[:12],
        message_type="text",
        text=text,
        sent_at=utcnow(),
    )


class Run:
    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.published: dict[str, float] = {}
        self.answered: dict[str, float] = {}
        self.done = asyncio.Event()
        self.expected = 0

    async def watch(self, consumer: AIOKafkaConsumer) -> None:
        async for record in consumer:
            event = decode_event(record.value)
            if not isinstance(event.data, SendRequested) or event.causation_id is None:
                continue
            cause = str(event.causation_id)
            if cause in self.published and cause not in self.answered:
                self.answered[cause] = time.monotonic()
                if len(self.answered) >= self.expected:
                    self.done.set()

    async def publish(self, producer: AIOKafkaProducer, count: int, rate: float) -> float:
        self.expected += count
        started = time.monotonic()
        pending = []
        for i in range(count):
            if rate > 0:
                delay = started + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            user = "U" + uuid4().hex
            envelope = new_event(message(user, TEXTS[i % len(TEXTS)]), source="bench")
            self.published[str(envelope.id)] = time.monotonic()
            pending.append(
                await producer.send("line.inbound", value=encode_event(envelope), key=user.encode())
            )
        await asyncio.gather(*pending)
        return time.monotonic() - started


async def start_stack(args: argparse.Namespace, state_dir: Path) -> Stack:
    config = StackConfig.isolated(state_dir, with_openai_server=True)
    config.env = {
        "SSL_ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "OPENAI_API_KEY": "bench-key",
        "OPENAI_BASE_URL": f"{config.url('openai_server')}/v1",
        "OPENAI_MODEL": "bench-model",
        "AI_CHAT_OPENAI_TIMEOUT_SECONDS": str(args.delay + 10),
        "AI_CHAT_OPENAI_MAX_RETRIES": "0",
        "AI_CHAT_CONSUMER_MAX_IN_FLIGHT": str(args.in_flight),
        "AI_CHAT_CHECKIN_POLL_SECONDS": "3600",
        **dict(item.split("=", 1) for item in args.env),
    }
    stack = Stack(config)
    if args.profile:
        # The service itself under cProfile; the profile is written when it stops cleanly.
        process = stack.apps["ai_chat"]
        process.argv = [
            sys.executable,
            "-c",
            PROFILED.format(path=args.profile),
        ]
        process.stop_timeout = 120.0
    await stack.start_infrastructure()
    await stack.start_apps(["openai_server", "ai_chat"])
    async with httpx.AsyncClient(base_url=config.url("openai_server")) as client:
        (await client.post("/control", json={"delaySeconds": args.delay})).raise_for_status()
    return stack


async def bench(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="sslp-bench-") as folder:
        out = sys.stdout
        out.write(f"starting Kafka, mongod, the OpenAI test server and ai_chat in {folder}\n")
        stack = await start_stack(args, Path(folder))
        try:
            bootstrap = stack.kafka.bootstrap_servers
            consumer = AIOKafkaConsumer(
                "line.outbound",
                bootstrap_servers=bootstrap,
                group_id=None,
                auto_offset_reset="latest",
            )
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
            await consumer.start()
            await producer.start()
            try:
                # Warm-up: the consumer group joins and connection pools fill before measuring.
                warm = Run(bootstrap)
                watching = asyncio.create_task(warm.watch(consumer))
                await warm.publish(producer, args.warmup, rate=0)
                await asyncio.wait_for(warm.done.wait(), timeout=120)
                watching.cancel()

                run = Run(bootstrap)
                watching = asyncio.create_task(run.watch(consumer))
                mode = "all at once" if args.rate <= 0 else f"at {args.rate:g}/s"
                out.write(
                    f"publishing {args.messages} messages from {args.messages} seniors {mode}; "
                    f"model answers after {args.delay:g} s; consumer_max_in_flight={args.in_flight}\n"
                )
                cpu_before = cpu_seconds(stack)
                first = time.monotonic()
                publish_seconds = await run.publish(producer, args.messages, args.rate)
                try:
                    await asyncio.wait_for(run.done.wait(), timeout=args.timeout)
                except TimeoutError:
                    out.write(f"timed out: {len(run.answered)} of {args.messages} answered\n")
                watching.cancel()
                cpu_after = cpu_seconds(stack)
            finally:
                await producer.stop()
                await consumer.stop()
        finally:
            stack.stop()

    latencies = [run.answered[k] - run.published[k] for k in run.answered]
    if not latencies:
        out.write("no answers\n")
        return 1
    elapsed = max(run.answered.values()) - first
    out.write(
        f"answered {len(latencies)}/{args.messages} in {elapsed:.1f} s "
        f"(published in {publish_seconds:.1f} s)\n"
        f"throughput: {len(latencies) / elapsed:.1f} messages/s\n"
        f"latency: p50 {percentile(latencies, 0.5):.2f} s, p90 {percentile(latencies, 0.9):.2f} s, "
        f"p99 {percentile(latencies, 0.99):.2f} s, max {max(latencies):.2f} s, "
        f"mean {statistics.fmean(latencies):.2f} s\n"
    )
    out.write(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    out.write("CPU used during the measured run (ms per message):")
    for name, after in sorted(cpu_after.items()):
        spent = after - cpu_before.get(name, 0.0)
        out.write(f" {name} {1000 * spent / len(latencies):.1f}")
    out.write("\n")
    return 0 if len(latencies) == args.messages else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=0.0, help="messages/s; 0 = all at once")
    parser.add_argument("--delay", type=float, default=2.0, help="model answer delay, seconds")
    parser.add_argument("--in-flight", type=int, default=256, help="AI_CHAT_CONSUMER_MAX_IN_FLIGHT")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--env", action="append", default=[], help="extra ai_chat setting, e.g. AI_CHAT_X=1"
    )
    parser.add_argument("--profile", help="write a cProfile of the ai_chat process to this file")
    args = parser.parse_args()
    if args.profile:
        args.profile = str(Path(args.profile).resolve())
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
