"""Chaos: 1,000 senior messages per scenario while each process of the platform is SIGKILLed.

    make chaos
    .venv/bin/python -m bench.chaos                                   # every scenario
    .venv/bin/python -m bench.chaos --scenarios line_gateway,mongod --seniors 50 --messages 6

Starts its own stack in a temporary folder on free ports (the devstack's classes: Kafka, mongod,
the four services, the LINE simulator with webhook redelivery on, the OpenAI-compatible test
server as Dai-chan's model), then runs one scenario per process: line_gateway (the gateway's
webhook role), line_gateway_sender (its sender role), ai_chat, helpdesk, tablet_lending, Kafka
and mongod, each killed with SIGKILL while seniors talk, with
LINE failing some replies after accepting them. Prints per scenario: messages sent, webhooks
acknowledged (after LINE's redelivery), messages answered, lost, doubled, resent (the one double
the README allows: a reply of unknown outcome resent by push), answered out of order, and the
recovery time. Exits 1 if any scenario lost or doubled a message.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench.chaos.driver import Table, drive, summary
from bench.chaos.scenario import INFRASTRUCTURE, Chaos, Plan, Result
from tools.devstack.stack import GATEWAY_SENDER, SERVICES, Stack, StackConfig

# `line_gateway` is the gateway's webhook role, `line_gateway_sender` its sender role.
TARGETS = (*SERVICES, GATEWAY_SENDER, *INFRASTRUCTURE)
HEADER = (
    "| scenario | sent | acknowledged (after redelivery) | answered | lost | doubled | resent "
    "| out of order | recovery | answer latency p50 / p99 |"
)


def row(result: Result) -> str:
    o = result.outcome
    recovery = "—" if o.recovery_seconds is None else f"{o.recovery_seconds:.1f} s"
    p50, p99 = o.latency(0.5), o.latency(0.99)
    latency = "—" if p50 is None or p99 is None else f"{p50:.1f} / {p99:.1f} s"
    return (
        f"| {result.plan.name} | {o.sent} | {result.acknowledged} ({result.after_redelivery}) "
        f"| {o.answered} | {o.lost} | {o.doubled} | {o.resent} | {o.out_of_order} | {recovery} "
        f"| {latency} |"
    )


def stack_config(folder: Path, *, cluster: int = 1) -> StackConfig:
    config = StackConfig.isolated(folder, with_openai_server=True, cluster=cluster)
    config.env = {
        "SSL_ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "OPENAI_API_KEY": "chaos-key",
        "OPENAI_BASE_URL": f"{config.url('openai_server')}/v1",
        "OPENAI_MODEL": "chaos-model",
        "AI_CHAT_CHECKIN_POLL_SECONDS": "3600",
    }
    return config


async def details(result: Result) -> list[str]:
    lines = []
    if result.reply_faults_left:
        lines.append(f"reply faults never reached: {result.reply_faults_left}")
    if result.outcome.lost_examples:
        lines.append(f"lost, e.g.: {', '.join(result.outcome.lost_examples)}")
    if result.killed_at is not None and result.back_at is not None:
        lines.append(
            f"killed {result.killed_at:%H:%M:%S.%f}, back {result.back_at:%H:%M:%S.%f}"
            f"; last to recover: {result.outcome.last_to_recover}"
        )
    return lines


TABLE = Table(header=HEADER, row=row, details=details)


async def chaos(args: argparse.Namespace) -> int:
    out = sys.stdout
    targets: list[str | None] = [None] if args.baseline else []
    targets += [t for t in args.scenarios.split(",") if t]
    unknown = [t for t in targets if t is not None and t not in TARGETS]
    if unknown:
        out.write(f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(TARGETS)}\n")
        return 2
    plans = [
        Plan(
            target=target,
            seniors=args.seniors,
            messages=args.messages,
            interval=args.interval,
            downtime=args.downtime,
        )
        for target in targets
    ]
    with tempfile.TemporaryDirectory(prefix="sslp-chaos-") as folder:
        stack = Stack(stack_config(Path(folder)))
        out.write(f"starting the platform in {folder} ...\n")
        started = time.monotonic()
        await stack.start_infrastructure()
        await stack.start_apps(timeout=300)
        runner = Chaos(stack)
        try:
            await runner.prepare()
            results = await drive(
                [(plan.name, plan) for plan in plans],
                lambda _name, plan: runner.run(plan),
                TABLE,
                out,
            )
        finally:
            await runner.close()
            stack.stop()
    out.write(summary(TABLE, results, started=started))
    return 0 if all(r.clean for r in results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default=",".join(TARGETS), help="comma-separated")
    parser.add_argument("--baseline", action="store_true", help="also a run without a kill")
    parser.add_argument("--seniors", type=int, default=100)
    parser.add_argument("--messages", type=int, default=10, help="per senior")
    parser.add_argument("--interval", type=float, default=8.0, help="seconds between messages")
    parser.add_argument("--downtime", type=float, default=2.0, help="seconds before the restart")
    return asyncio.run(chaos(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
