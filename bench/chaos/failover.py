"""Failover on the three-node cluster: seniors talk to Dai-chan while part of the cluster dies.

    make failover
    .venv/bin/python -m bench.chaos.failover                          # every scenario
    .venv/bin/python -m bench.chaos.failover --scenarios mongo_primary --seniors 10 --baseline

Starts its own cluster-mode stack (tools/devstack, `cluster=3`: three Kafka KRaft nodes, a
three-member replica set, two instances of every service behind the webhook balancer) in a
temporary folder on free ports, then runs, each while seniors send messages through the LINE
simulator (the chaos run's seniors and counting, `scenario.py` and `analysis.py`):

- `kafka_leader`: kill -9 the broker leading most partitions of line.inbound and line.outbound,
  start it again after `--downtime` seconds;
- `mongo_primary`: kill -9 the replica set's primary (an election with transactions in flight),
  start it again after `--downtime` seconds;
- `one_instance_each`: kill -9, for every service, the instance holding its outbox lease (the
  group rebalances, the lease moves to the other instance), start them after `--downtime`;
- `rolling_restart`: stop (SIGTERM) and start every instance of every service in turn (the
  gateway's webhook and sender roles each), each back and ready before the next one goes.

Prints per scenario what the chaos run prints, plus the time from the kill to the first answer
to a message sent after it and the longest answer latency of the run. Exits 1 if any scenario
lost or doubled an answer, answered a senior's acknowledged messages out of order (a webhook LINE
had to redeliver comes back after later ones, on LINE as here), or if the rolling restart had an
answer later than 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from bench.chaos.__main__ import stack_config
from bench.chaos.driver import Table, drive, summary
from bench.chaos.scenario import Chaos, Disruption, Plan, Result
from services.common.store.mongo import OUTBOX_COLLECTION
from services.common.store.outbox import lease_name
from services.common.time import utcnow
from tools.devstack.infra import KafkaNode, MongoNode
from tools.devstack.stack import CLUSTER_SIZE, GATEWAY_SENDER, SERVICES, Stack

# The topics a senior's message and its answer travel on.
ANSWER_PATH_TOPICS = ("line.inbound", "line.outbound")
ROLLING_RESTART_MAX_LATENCY = 10.0


async def partition_leaders(stack: Stack, topics: tuple[str, ...]) -> Counter[int]:
    """How many partitions of `topics` each broker (node id) leads."""
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return Counter(partition["leader"] for topic in described for partition in topic["partitions"])


async def uncommitted(stack: Stack) -> dict[str, int]:
    """Per service's consumer group, how many messages of its topics lie past its committed
    offsets (what a restart would deliver again; after a settled run, what it never finished)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.bootstrap_servers, group_id=None)
    await admin.start()
    await consumer.start()
    try:
        found: dict[str, int] = {}
        for service in SERVICES:
            committed = await admin.list_consumer_group_offsets(service)
            ends = await consumer.end_offsets(list(committed))
            found[service] = sum(ends[tp] - meta.offset for tp, meta in committed.items())
        return found
    finally:
        await consumer.stop()
        await admin.close()


async def unpublished(stack: Stack) -> dict[str, int]:
    """Per service, outbox entries its relay has not published to Kafka yet."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo.uri)
    try:
        return {
            service: await client[f"sslp_{service}"][OUTBOX_COLLECTION].count_documents(
                {"published_at": None}
            )
            for service in SERVICES
        }
    finally:
        await client.close()


async def mongo_primary(stack: Stack) -> MongoNode:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        stack.mongo.uri, serverSelectionTimeoutMS=30_000
    )
    try:
        hello = await client.admin.command("hello")
    finally:
        await client.close()
    primary = str(hello["primary"])
    return next(node for node in stack.mongo_nodes if primary.endswith(f":{node.port}"))


def relay_lease(service: str) -> str:
    """The outbox lease of `service`'s instances (`config.instances`): one per service, except
    line_gateway, whose instances by that name are its webhook role, relaying their own lane."""
    return lease_name("webhook" if service == "line_gateway" else None)


async def outbox_lease_owner(stack: Stack, service: str) -> str | None:
    """The app name of the instance whose relay holds `service`'s outbox lease, if one does."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo.uri)
    try:
        lease = await client[f"sslp_{service}"]["leases"].find_one({"_id": relay_lease(service)})
    finally:
        await client.close()
    owner = str((lease or {}).get("owner", ""))
    for name in stack.config.instances(service):
        if stack.apps[name].env.get("INSTANCE_ID") == owner:
            return name
    return None


async def outbox_lease_holder(stack: Stack, service: str) -> str:
    """The instance holding `service`'s outbox lease, else its second instance."""
    return await outbox_lease_owner(stack, service) or stack.config.instances(service)[1]


async def _restart_node(node: KafkaNode | MongoNode, stack: Stack) -> None:
    await asyncio.to_thread(node.start)
    if isinstance(node, KafkaNode):
        await node.wait_ready(timeout=300, brokers=len(stack.kafka_nodes))
    else:
        await node.wait_ready(timeout=300)


def kill_kafka_leader(downtime: float, report: Callable[[str], None]) -> Disruption:
    async def disrupt(stack: Stack) -> datetime:
        leaders = await partition_leaders(stack, ANSWER_PATH_TOPICS)
        node_id, led = leaders.most_common(1)[0]
        node = next(n for n in stack.kafka_nodes if n.node_id == node_id)
        await asyncio.to_thread(node.process.kill)
        killed_at = utcnow()
        report(f"killed {node.process.name}, leader of {led} of {sum(leaders.values())} partitions")
        await asyncio.sleep(downtime)
        await _restart_node(node, stack)
        return killed_at

    return disrupt


def kill_mongo_primary(downtime: float, report: Callable[[str], None]) -> Disruption:
    async def disrupt(stack: Stack) -> datetime:
        node = await mongo_primary(stack)
        await asyncio.to_thread(node.process.kill)
        killed_at = utcnow()
        elected = await mongo_primary(stack)
        took = (utcnow() - killed_at).total_seconds()
        report(
            f"killed {node.process.name} (primary); {elected.process.name} elected in {took:.1f} s"
        )
        await asyncio.sleep(max(downtime - took, 0.0))
        await _restart_node(node, stack)
        return killed_at

    return disrupt


def kill_one_instance_each(downtime: float, report: Callable[[str], None]) -> Disruption:
    async def disrupt(stack: Stack) -> datetime:
        victims = [await outbox_lease_holder(stack, service) for service in SERVICES]
        envs = {name: dict(stack.apps[name].env) for name in victims}
        for name in victims:
            await asyncio.to_thread(stack.apps[name].kill)
        killed_at = utcnow()
        report(f"killed {', '.join(victims)} (the outbox lease holders)")
        # Watch each lease move to the surviving instance while the holders are dead.
        waiting = dict(zip(SERVICES, victims, strict=True))
        loop = asyncio.get_running_loop()
        until = loop.time() + downtime
        while waiting and loop.time() < until:
            for service, victim in list(waiting.items()):
                owner = await outbox_lease_owner(stack, service)
                if owner is not None and owner != victim:
                    took = (utcnow() - killed_at).total_seconds()
                    report(f"{service}'s outbox lease moved to {owner} in {took:.1f} s")
                    del waiting[service]
            await asyncio.sleep(0.5)
        await asyncio.sleep(max(until - loop.time(), 0.0))
        for name in victims:
            stack.launch_apps([name], env=envs[name])
        return killed_at

    return disrupt


def rolling_restart_of(
    services: tuple[str, ...],
) -> Callable[[float, Callable[[str], None]], Disruption]:
    """SIGTERM and start every instance of `services` in turn, each ready before the next goes."""

    def rolling_restart(_downtime: float, report: Callable[[str], None]) -> Disruption:
        async def disrupt(stack: Stack) -> datetime:
            began = utcnow()
            names = [name for service in services for name in stack.config.instances(service)]
            for name in names:
                env = dict(stack.apps[name].env)
                stopping = (utcnow() - began).total_seconds()
                await asyncio.to_thread(stack.apps[name].stop)
                stopped = (utcnow() - began).total_seconds()
                stack.launch_apps([name], env=env)
                await stack.wait_app_ready(name, timeout=300)
                ready = (utcnow() - began).total_seconds()
                report(
                    f"{name}: SIGTERM at {stopping:.1f} s, gone {stopped:.1f} s, ready {ready:.1f} s"
                )
            took = (utcnow() - began).total_seconds()
            report(f"restarted {len(names)} instances in {took:.0f} s")
            return began

        return disrupt

    return rolling_restart


# Every process of the platform: line_gateway's webhook role and its sender role (the consumer of
# line.outbound that sends every answer) are two processes, each restarted in its turn.
ROLLING_SERVICES = tuple(
    role
    for service in SERVICES
    for role in ((service, GATEWAY_SENDER) if service == "line_gateway" else (service,))
)
rolling_restart = rolling_restart_of(ROLLING_SERVICES)


# The seniors keep talking through the whole rolling restart (ten processes, each stopped,
# started and ready in turn: minutes on a small machine), not only through its start.
ROLLING_RESTART_SENDING_SECONDS = 300.0
# The killed lease holders stay down past the outbox lease's 15 s (services/common/store/outbox.py)
# with room to spare, so the lease has moved before they come back.
ONE_INSTANCE_EACH_DOWNTIME = 25.0

SCENARIOS: dict[str, Callable[[float, Callable[[str], None]], Disruption]] = {
    "kafka_leader": kill_kafka_leader,
    "mongo_primary": kill_mongo_primary,
    "one_instance_each": kill_one_instance_each,
    "rolling_restart": rolling_restart,
}


def clean(result: Result) -> bool:
    """Nothing lost, doubled or reordered; the rolling restart also answers everyone in 10 s."""
    outcome = result.outcome
    ok = outcome.lost == 0 and outcome.doubled == 0 and outcome.out_of_order_acknowledged == 0
    if result.plan.target == "rolling_restart":
        slowest = outcome.latency(1.0)
        ok = ok and slowest is not None and slowest <= ROLLING_RESTART_MAX_LATENCY
    return ok


BASELINE = "baseline"


async def run_scenario(
    runner: Chaos, name: str, plan: Plan, report: Callable[[str], None] = print
) -> Result:
    if name == BASELINE:
        return await runner.run(plan)
    return await runner.run(plan, SCENARIOS[name](plan.downtime, report))


HEADER = (
    "| scenario | sent | acknowledged (after redelivery) | answered | lost | doubled "
    "| out of order (of the acknowledged) | first answer after the kill | recovery "
    "| answer latency p50 / max |"
)


def row(result: Result) -> str:
    o = result.outcome

    def seconds(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f} s"

    return (
        f"| {result.plan.name} | {o.sent} | {result.acknowledged} ({result.after_redelivery}) "
        f"| {o.answered} | {o.lost} | {o.doubled} | {o.out_of_order} ({o.out_of_order_acknowledged}) "
        f"| {seconds(o.first_answer_after_kill_seconds)} "
        f"| {seconds(o.recovery_seconds)} | {seconds(o.latency(0.5))} / {seconds(o.latency(1.0))} |"
    )


def plan_for(
    name: str,
    *,
    seniors: int = 5,
    messages: int = 12,
    interval: float = 4.0,
    downtime: float = 15.0,
    rolling_seconds: float = ROLLING_RESTART_SENDING_SECONDS,
) -> Plan:
    """A scenario's plan: the kill at 30 % of the sending (the rolling restart begins at 20 % and
    the seniors talk on for `ROLLING_RESTART_SENDING_SECONDS`), LINE's replies not failing."""
    if name == "rolling_restart":
        messages = max(messages, round(rolling_seconds / interval))
    if name == "one_instance_each":
        downtime = max(downtime, ONE_INSTANCE_EACH_DOWNTIME)
    return Plan(
        target=None if name == BASELINE else name,
        seniors=seniors,
        messages=messages,
        interval=interval,
        downtime=downtime,
        kill_after=0.2 if name == "rolling_restart" else 0.3,
        # LINE's failing replies are the chaos run's subject; here the cluster's failover is.
        reply_faults=False,
    )


def failover_table(stack: Stack) -> Table:
    async def details(result: Result) -> list[str]:
        lines = []
        if result.outcome.lost_examples:
            lines.append(f"lost, e.g.: {', '.join(result.outcome.lost_examples)}")
        if result.killed_at is not None:
            killed_at = result.killed_at
            slow = ", ".join(
                f"{(at - killed_at).total_seconds():.1f} s: {took:.1f} s"
                for at, took in result.outcome.slowest(8)
            )
            lines.append(f"slowest answers (sent after the start: took): {slow}")
        lines.append(f"past the committed offsets: {await uncommitted(stack)}")
        lines.append(f"in the outboxes, unpublished: {await unpublished(stack)}")
        return lines

    return Table(header=HEADER, row=row, details=details)


async def failover(args: argparse.Namespace) -> int:
    out = sys.stdout
    names = [BASELINE] if args.baseline else []
    names += [n for n in args.scenarios.split(",") if n]
    unknown = [n for n in names if n not in SCENARIOS and n != BASELINE]
    if unknown:
        out.write(
            f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}\n"
        )
        return 2
    if args.services:
        chosen = tuple(s for s in args.services.split(",") if s)
        if not set(chosen) <= set(ROLLING_SERVICES):
            out.write(
                f"unknown service(s) in {args.services}; choose from {', '.join(ROLLING_SERVICES)}\n"
            )
            return 2
        SCENARIOS["rolling_restart"] = rolling_restart_of(chosen)
    plans = [
        (
            name,
            plan_for(
                name,
                seniors=args.seniors,
                messages=args.messages,
                interval=args.interval,
                downtime=args.downtime,
                rolling_seconds=args.rolling_seconds,
            ),
        )
        for name in names
    ]
    started = time.monotonic()

    def report(line: str) -> None:
        out.write(f"  {line}\n")
        out.flush()

    with contextlib.ExitStack() as keep:
        folder = args.folder or keep.enter_context(
            tempfile.TemporaryDirectory(prefix="sslp-failover-")
        )
        config = stack_config(Path(folder), cluster=CLUSTER_SIZE)
        if args.log_level:
            config.env["LOG_LEVEL"] = args.log_level
        stack = Stack(config)
        out.write(f"starting the {CLUSTER_SIZE}-node cluster in {folder} ...\n")
        out.flush()
        await stack.start_infrastructure(timeout=300)
        await stack.start_apps(timeout=300)
        runner = Chaos(stack)
        table = failover_table(stack)
        try:
            await runner.prepare()
            results = await drive(
                plans,
                lambda name, plan: run_scenario(runner, name, plan, report),
                table,
                out,
            )
        finally:
            await runner.close()
            stack.stop()
    out.write(summary(table, results, started=started))
    return 0 if all(clean(r) for r in results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated")
    parser.add_argument("--baseline", action="store_true", help="first a run without a kill")
    parser.add_argument("--seniors", type=int, default=5)
    parser.add_argument("--messages", type=int, default=12, help="per senior")
    parser.add_argument("--interval", type=float, default=4.0, help="seconds between messages")
    parser.add_argument("--downtime", type=float, default=15.0, help="seconds before the restart")
    parser.add_argument(
        "--services", default="", help="the rolling restart's services (comma-separated; all)"
    )
    parser.add_argument(
        "--rolling-seconds",
        type=float,
        default=ROLLING_RESTART_SENDING_SECONDS,
        help="how long the seniors talk through the rolling restart",
    )
    parser.add_argument("--folder", default="", help="the stack's folder, kept (logs) afterwards")
    parser.add_argument("--log-level", default="", help="the services' LOG_LEVEL (WARNING)")
    return asyncio.run(failover(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
