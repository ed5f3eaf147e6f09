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
import os
import sys
import tempfile
import time
from pathlib import Path

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


async def chaos(args: argparse.Namespace) -> int:
    out = sys.stdout
    targets: list[str | None] = [None] if args.baseline else []
    targets += [t for t in args.scenarios.split(",") if t]
    unknown = [t for t in targets if t is not None and t not in TARGETS]
    if unknown:
        out.write(f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(TARGETS)}\n")
        return 2
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="sslp-chaos-") as folder:
        stack = Stack(stack_config(Path(folder)))
        out.write(f"starting the platform in {folder} ...\n")
        started = time.monotonic()
        await stack.start_infrastructure()
        await stack.start_apps(timeout=300)
        runner = Chaos(stack)
        try:
            await runner.prepare()
            for target in targets:
                plan = Plan(
                    target=target,
                    seniors=args.seniors,
                    messages=args.messages,
                    interval=args.interval,
                    downtime=args.downtime,
                )
                out.write(
                    f"scenario {plan.name}: {plan.seniors} seniors x {plan.messages} messages, "
                    f"one every {plan.interval:g} s each ...\n"
                )
                out.flush()
                result = await runner.run(plan)
                results.append(result)
                out.write(f"  {row(result)}\n")
                if result.reply_faults_left:
                    out.write(f"  reply faults never reached: {result.reply_faults_left}\n")
                if result.outcome.lost_examples:
                    out.write(f"  lost, e.g.: {', '.join(result.outcome.lost_examples)}\n")
                if result.killed_at is not None and result.back_at is not None:
                    out.write(
                        f"  killed {result.killed_at:%H:%M:%S.%f}, back {result.back_at:%H:%M:%S.%f}"
                        f"; last to recover: {result.outcome.last_to_recover}\n"
                    )
                out.flush()
        finally:
            await runner.close()
            stack.stop()
    out.write(
        f"\n{HEADER}\n|---|---|---|---|---|---|---|---|---|---|\n"
        + "\n".join(row(r) for r in results)
        + "\n\n"
        f"({time.monotonic() - started:.0f} s in all; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores)\n"
    )
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
