"""Webhook ingest: line_gateway's `POST /callback` against the ceiling, in one run.

    .venv/bin/python -m bench.webhook_ingest                      # 4-10 minutes
    .venv/bin/python -m bench.webhook_ingest --rounds 1 --seconds 10 --backlog 0
    .venv/bin/python -m bench.webhook_ingest --profile /tmp/profile   # + py-spy, mongod's view

Starts its own Kafka, mongod, LINE simulator (LINE's API for the gateway's sends) and one
line_gateway in a temporary folder on free ports (the devstack's classes), and beside them the
ceiling (`bench.webhook_ceiling`): a bare FastAPI endpoint served by the same
`services.common.serve` (same uvicorn settings) that only checks the signature and parses the
JSON, and the durable ceiling (`bench.webhook_ceiling --durable`): the same plus one
group-committed, majority-acknowledged insert of the body's ids into the same mongod before the
200, the least a gateway that records before answering must do. Then, against each in turn
(gateway, ceiling, durable ceiling, gateway, ...; bodies: gateway and ceiling only):

- **idle**: one connection, one webhook at a time (`wrk -t1 -c1`);
- **flood**: `wrk -t2 -c16` for `--seconds`, every request one text event from a new senior,
  signed, never a duplicate (wrk's script takes them from a file the bench writes; the run says
  if a thread ran out and repeated some);
- **bodies**: one body at a time of 25, 50 and 100 text events, 3,000 ignored events (`unsend`)
  and 300 unfollows, each from new seniors, gateway and ceiling in turn per kind
  (`--no-single-bodies` leaves them out: on a loaded machine the gateway needs minutes);
- **backlog** (gateway only): `--backlog` push commands published to `line.outbound` at once,
  then one webhook at a time while the gateway sends them.

To tell what the work a webhook causes costs the flood: `--pause-sender` stops the gateway's
sender role (SIGSTOP) during the gateway's floods, so nothing consumes `line.inbound` then (it
catches up afterwards, during the ceilings' floods); `--gateway-env KEY=VALUE` sets the
gateway's environment (e.g. `LINE_GATEWAY_LOADING_MAX_AGE_SECONDS=0`: no loading animation).

With `--profile DIR`, one more gateway flood (not in the figures) and the backlog phase run
under py-spy (the gateway) and mongod's profiler and `$currentOp` (`bench/profiling.py`); their
summaries are printed and the raw data kept in DIR.

The load tool is wrk (Debian's, installed by `scripts/install-system-packages`): written in C,
it drives thousands of requests a second from a fraction of a core, so the ceiling is the
server's and not the client's, which an asyncio Python client on the same two cores would not
be. Latencies are wrk's, of answered requests; requests not answered within 2 s (LINE's
limit) are counted as timeouts. Every figure is printed with the 1-minute load average when it
was taken: on a shared machine the absolute figures move with the load, the ratio less so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from bench.ai_chat_throughput import cpu_seconds
from bench.line_send_contention import command, finished_sends
from bench.profiling import (
    CurrentOps,
    counter_delta,
    dump,
    hot_documents,
    parse_collapsed,
    py_spy_record,
    sample_current_ops,
    server_counters,
    start_profiler,
    stop_profiler,
    summarise_profile,
    top,
)
from bench.webhook_bodies import (
    WRK_SCRIPT,
    BodyTimes,
    SignedBody,
    WrkResult,
    body_of,
    flood,
    fmt_rate,
    new_user,
    overall_ratio,
    parse_wrk,
    probe_result,
    ratio,
    write_requests,
    wrk_command,
)
from services.common.time import utcnow
from tools.devstack.processes import ManagedProcess
from tools.devstack.stack import GATEWAY_SENDER, Stack, StackConfig, free_port

SECRET = "bench-channel-secret"
GATEWAY_DB = "sslp_line_gateway"
TARGETS = ("line_gateway", "webhook_ceiling", "durable_ceiling")
BODY_TARGETS = ("line_gateway", "webhook_ceiling")
BODIES = (("text", 25), ("text", 50), ("text", 100), ("ignored", 3000), ("unfollow", 300))


@dataclass(frozen=True)
class Run:
    label: str
    target: str
    result: WrkResult
    load: float  # 1-minute load average when the run ended
    cores: dict[str, float]  # CPU cores each process used during the run

    def row(self) -> str:
        r = self.result
        errors = ", ".join(f"{k} {v}" for k, v in r.errors.items() if v) or "none"
        wrapped = f" (repeated {r.wrapped}x)" if r.wrapped else ""
        cores = ", ".join(f"{name} {value:.2f}" for name, value in self.cores.items())
        return (
            f"| {self.label} | {self.target} | {fmt_rate(r.rate)}{wrapped} | {r.p50_ms:.1f} "
            f"| {r.p99_ms:.1f} | {errors} | {self.load:.1f} | {cores} |"
        )


class Bench:
    def __init__(self, stack: Stack, folder: Path, args: argparse.Namespace) -> None:
        self.stack = stack
        self.folder = folder
        self.args = args
        self.script = folder / "webhooks.lua"
        self.script.write_text(WRK_SCRIPT)
        self.requests = folder / "requests.txt"
        self.out = sys.stdout

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def url(self, target: str) -> str:
        return f"{self.stack.config.url(target)}/callback"

    def fresh_requests(self, count: int) -> Path:
        write_requests(self.requests, flood(count, SECRET, utcnow()))
        return self.requests

    async def wrk(
        self, label: str, target: str, *, threads: int, connections: int, seconds: float
    ) -> Run:
        argv = wrk_command(
            self.url(target),
            self.script,
            self.requests,
            threads=threads,
            connections=connections,
            seconds=seconds,
        )
        before = cpu_seconds(self.stack)
        started = time.monotonic()
        with self.sender_paused(target == "line_gateway" and self.args.pause_sender):
            process = await asyncio.create_subprocess_exec(
                *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
            )
            output, _ = await process.communicate()
        elapsed = time.monotonic() - started
        cores = cores_used(before, cpu_seconds(self.stack), elapsed)
        run = Run(label, target, parse_wrk(output.decode()), os.getloadavg()[0], cores)
        self.say(f"  {run.row()}")
        return run

    @contextlib.contextmanager
    def sender_paused(self, pause: bool) -> Iterator[None]:
        pid = self.stack.apps[GATEWAY_SENDER].pid if pause else None
        if pid is not None:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            if pid is not None:
                os.kill(pid, signal.SIGCONT)

    async def probe(self, label: str, target: str, seconds: float) -> Run:
        """One webhook at a time for `seconds`, each waited for (not cut at 2 s like wrk)."""
        latencies: list[float] = []
        statuses: list[int] = []
        before = cpu_seconds(self.stack)
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=120.0) as client:
            while time.monotonic() - started < seconds:
                taken, status = await post(client, self.url(target), flood(1, SECRET, utcnow())[0])
                latencies.append(taken)
                statuses.append(status)
        elapsed = time.monotonic() - started
        run = Run(
            label,
            target,
            probe_result(latencies, statuses, elapsed),
            os.getloadavg()[0],
            cores_used(before, cpu_seconds(self.stack), elapsed),
        )
        self.say(f"  {run.row()}")
        return run

    async def bodies(
        self, client: httpx.AsyncClient, target: str, kind: str, events: int
    ) -> BodyTimes:
        """`--repeats` bodies of `events` events of `kind`, one at a time."""
        seconds, statuses = [], []
        for _ in range(self.args.repeats):
            item = body_of(kind, events, SECRET, utcnow())
            taken, status = await post(client, self.url(target), item)
            seconds.append(taken)
            statuses.append(status)
        times = BodyTimes(kind, events, tuple(seconds), tuple(statuses))
        self.say(
            f"  {target}: {events} {kind} events: "
            + ", ".join(f"{s:.3f} s" for s in seconds)
            + ("" if times.ok else f" (statuses {statuses})")
            + f"; load {os.getloadavg()[0]:.1f}"
        )
        return times

    async def backlog(self, sends: int) -> tuple[Run, int, int]:
        """Publish `sends` pushes, then one webhook at a time while the gateway sends them."""
        producer = AIOKafkaProducer(
            bootstrap_servers=self.stack.kafka.bootstrap_servers, acks="all", linger_ms=5
        )
        await producer.start()
        try:
            commands = [(user, *command(user, None)) for user in (new_user() for _ in range(sends))]
            pending = [
                await producer.send("line.outbound", key=user.encode(), value=value)
                for user, _, value in commands
            ]
            await asyncio.gather(*pending)
        finally:
            await producer.stop()
        ids = [command_id for _, command_id, _ in commands]
        before = await finished_sends(self.stack.mongo.uri, ids)
        probe = partial(self.probe, "during backlog", "line_gateway", self.args.seconds)
        if self.args.profile:
            # The sends are the sender role's work: profile that process (the webhook's
            # answers meanwhile are the probe's figures).
            run = await self.profiled(Path(self.args.profile), "backlog", probe, GATEWAY_SENDER)
        else:
            run = await probe()
        return run, before, await finished_sends(self.stack.mongo.uri, ids)

    async def profiled(
        self,
        into: Path,
        name: str,
        work: Callable[[], Awaitable[Run]],
        app: str = "line_gateway",
    ) -> Run:
        """`work` under py-spy (the gateway process `app`), mongod's profiler and $currentOp; the
        report is printed and the raw data kept in `into` (`<name>.pyspy.txt`, `.mongod.json`)."""
        pid = self.stack.apps[app].pid
        assert pid is not None
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(self.stack.mongo.uri)
        spy_file = into / f"{name}.pyspy.txt"
        try:
            await start_profiler(client, GATEWAY_DB)
            status_before = server_counters(await client.admin.command("serverStatus"))
            ops, stop = CurrentOps(), asyncio.Event()
            sampler = asyncio.create_task(sample_current_ops(client, ops, stop, every=0.25))
            spy = asyncio.create_task(py_spy_record(pid, self.args.seconds, spy_file))
            run = await work()
            spy_output = await spy
            stop.set()
            await sampler
            status_after = server_counters(await client.admin.command("serverStatus"))
            entries = await stop_profiler(client, GATEWAY_DB)
        finally:
            await client.close()
        dump(into / f"{name}.mongod.json", entries)
        lines = [line for line in spy_output.splitlines() if "Samples:" in line]
        self.say(f"\n{name}: {run.result.requests} webhooks; py-spy: {' '.join(lines)}")
        counters = counter_delta(status_before, status_after)
        report_profile(self.say, spy_file, entries, ops, counters, app=app)
        return run


def cores_used(
    before: dict[str, float], after: dict[str, float], seconds: float
) -> dict[str, float]:
    return {
        name: (after[name] - before.get(name, 0.0)) / seconds
        for name in (
            "line_gateway",
            GATEWAY_SENDER,
            "webhook_ceiling",
            "durable_ceiling",
            "mongod",
            "kafka",
            "line_simulator",
        )
        if name in after
    }


async def post(client: httpx.AsyncClient, url: str, item: SignedBody) -> tuple[float, int]:
    headers = {"content-type": "application/json", "x-line-signature": item.signature}
    started = time.perf_counter()
    response = await client.post(url, content=item.body, headers=headers)
    return time.perf_counter() - started, response.status_code


def report_profile(
    say: Callable[[str], None],
    spy: Path,
    entries: list[dict[str, object]],
    ops: CurrentOps,
    counters: dict[str, int],
    *,
    app: str = "line_gateway",
) -> None:
    if spy.exists():
        stacks = parse_collapsed(spy.read_text().splitlines())
        say(
            f"{app}'s event loop on the CPU: {stacks.samples} samples "
            f"(other threads: {stacks.other_threads}); by piece of work:"
        )
        for entry, count in top(stacks.by_entry, 12):
            say(f"  {stacks.share(count):6.1%}  {entry}")
        say("by layer:")
        for area, count in top(stacks.by_area, 14):
            say(f"  {stacks.share(count):6.1%}  {area}")
        say("platform functions, inclusive:")
        for name, count in top(stacks.inclusive, 40, prefix="services/"):
            say(f"  {stacks.share(count):6.1%}  {name}")
        say("innermost frames (self):")
        for name, count in top(stacks.self_time, 20):
            say(f"  {stacks.share(count):6.1%}  {name}")
    summary = summarise_profile(entries)
    say("mongod meanwhile (serverStatus):")
    for name, value in counters.items():
        say(f"  {name:24} {value}")
    say("mongod profiler, per collection (operations, ms in all, write conflicts):")
    for ns, stats in sorted(summary.items(), key=lambda kv: -kv[1].millis):
        operations = ", ".join(f"{k} {v}" for k, v in stats.operations.most_common())
        say(f"  {ns}: {operations}; {stats.millis} ms; {stats.write_conflicts} conflicts")
    say("documents written most often (collection, document, writes):")
    for ns, key, count in hot_documents(summary):
        say(f"  {ns}  {key}  {count}")
    say(f"$currentOp, {ops.samples} samples (operation: samples active, waiting for a lock):")
    for label, count in ops.active.most_common(15):
        say(f"  {label}: {count}, {ops.waiting_for_lock.get(label, 0)}")


def stack_for(folder: Path, gateway_env: dict[str, str]) -> Stack:
    config = StackConfig.isolated(folder)
    config.ports["webhook_ceiling"] = free_port()
    config.ports["durable_ceiling"] = free_port()
    config.env = {
        "SSL_ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "LINE_CHANNEL_SECRET": SECRET,
        **gateway_env,  # LINE_GATEWAY_*: read by the gateway's roles only
    }
    stack = Stack(config)
    for name, flags in (("webhook_ceiling", []), ("durable_ceiling", ["--durable"])):
        stack.apps[name] = ManagedProcess(
            name=name,
            argv=[sys.executable, "-m", "bench.webhook_ceiling", *flags],
            env={},
            run_dir=stack.run_dir,
            die_with_parent=True,
        )
    return stack


async def bench(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="sslp-ingest-") as name:
        folder = Path(name)
        stack = stack_for(folder, dict(item.split("=", 1) for item in args.gateway_env))
        print(f"starting Kafka, mongod, the LINE simulator, line_gateway and the ceiling in {name}")
        started = time.monotonic()
        await stack.start_infrastructure()
        await stack.start_apps(["line_simulator", "line_gateway", GATEWAY_SENDER], timeout=300)
        for ceiling in ("webhook_ceiling", "durable_ceiling"):
            port = str(stack.config.ports[ceiling])
            await stack.start_apps([ceiling], env={"LINE_GATEWAY_PORT": port})
        try:
            return await measure(Bench(stack, folder, args), started)
        finally:
            stack.stop()


async def measure(b: Bench, started: float) -> int:
    args = b.args
    runs: list[Run] = []
    async with httpx.AsyncClient(timeout=300.0) as client:
        simulator = b.stack.config.url("line_simulator")
        (await client.post(f"{simulator}/sim/quota", json={"limit": 10_000_000})).raise_for_status()
        for target in TARGETS:  # warm-up: pools open, code paths imported
            for _ in range(20):
                await post(client, b.url(target), body_of("text", 1, SECRET, utcnow()))
        b.say("idle, one webhook at a time:")
        b.say("| run | target | req/s | p50 ms | p99 ms | errors | load | CPU cores |")
        for target in TARGETS:
            runs.append(await b.probe("idle", target, 10.0))
        b.say(f"flood, wrk -t2 -c16 -d{args.seconds:g}s, interleaved:")
        for round_ in range(1, args.rounds + 1):
            for target in TARGETS:
                if target != "webhook_ceiling":  # what records ids gets new ones
                    b.fresh_requests(args.bodies)
                runs.append(
                    await b.wrk(
                        f"flood {round_}", target, threads=2, connections=16, seconds=args.seconds
                    )
                )
        bodies: dict[str, list[BodyTimes]] = {}
        if args.single_bodies:
            b.say("one body at a time, gateway and ceiling in turn:")
            for kind, events in BODIES:
                for target in BODY_TARGETS:
                    times = await b.bodies(client, target, kind, events)
                    bodies.setdefault(target, []).append(times)
    if args.profile:
        b.fresh_requests(args.bodies)
        flood_ = partial(
            b.wrk, "profiled flood", "line_gateway", threads=2, connections=16, seconds=args.seconds
        )
        await b.profiled(Path(args.profile), "flood", flood_)
    backlog = None
    if args.backlog:
        b.say(f"backlog: {args.backlog} pushes published, then one webhook at a time:")
        backlog = await b.backlog(args.backlog)
    report(b, runs, bodies, backlog, started)
    return 0


def report(
    b: Bench,
    runs: list[Run],
    bodies: dict[str, list[BodyTimes]],
    backlog: tuple[Run, int, int] | None,
    started: float,
) -> None:
    args = b.args
    floods = [r for r in runs if r.label.startswith("flood")]
    gateway = [r.result for r in floods if r.target == "line_gateway"]
    ceiling = [r.result for r in floods if r.target == "webhook_ceiling"]
    durable = [r.result for r in floods if r.target == "durable_ceiling"]
    b.say("\n| run | target | req/s | p50 ms | p99 ms | errors | load | CPU cores |")
    b.say("|---|---|---:|---:|---:|---|---:|---|")
    for run in runs + ([backlog[0]] if backlog else []):
        b.say(run.row())
    pairs = list(zip(gateway, ceiling, strict=False))
    per_round = [ratio(g.rate, c.rate) for g, c in pairs]
    b.say(
        "\ngateway / ceiling, flood: "
        + ", ".join("—" if r is None else f"{r:.3f}" for r in per_round)
        + f" per round; {overall_ratio(gateway, ceiling) or 0:.3f} overall"
    )
    b.say(
        f"durable ceiling / ceiling: {overall_ratio(durable, ceiling) or 0:.3f}; "
        f"gateway / durable ceiling: {overall_ratio(gateway, durable) or 0:.3f} (overall)"
    )
    if bodies:
        b.say("\n| body | " + " | ".join(BODY_TARGETS) + " |\n|---|---:|---:|")
        for index, (kind, events) in enumerate(BODIES):
            cells = [f"{bodies[t][index].median:.3f} s" for t in BODY_TARGETS]
            b.say(
                f"| {events} {kind} events (median of {args.repeats}) | " + " | ".join(cells) + " |"
            )
    if backlog:
        run, before, after = backlog
        b.say(
            f"\nbacklog: {before} of {args.backlog} pushes sent when the probe started, {after} "
            f"when it ended; webhook p50 {run.result.p50_ms:.1f} ms, p99 "
            f"{run.result.p99_ms:.1f} ms (idle: see above)"
        )
    b.say(
        f"\n({time.monotonic() - started:.0f} s in all; load average now "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="flood rounds per target")
    parser.add_argument("--seconds", type=float, default=15.0, help="per flood")
    parser.add_argument("--bodies", type=int, default=20_000, help="new events per gateway flood")
    parser.add_argument("--repeats", type=int, default=2, help="per single-body kind")
    parser.add_argument(
        "--no-single-bodies",
        dest="single_bodies",
        action="store_false",
        help="skip the 25/50/100, 3,000 and 300 event bodies (minutes on a loaded machine)",
    )
    parser.add_argument("--backlog", type=int, default=10_000, help="pushes; 0 skips the phase")
    parser.add_argument("--profile", default="", help="folder: also profile a gateway flood")
    parser.add_argument(
        "--pause-sender", action="store_true", help="stop the sender role in gateway floods"
    )
    parser.add_argument(
        "--gateway-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="LINE_GATEWAY_* setting for the gateway (repeatable)",
    )
    args = parser.parse_args()
    if any("=" not in item for item in args.gateway_env):
        parser.error("--gateway-env takes KEY=VALUE")
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
