"""Command line for the local stack: run (foreground), up, down, status."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

import httpx

from tools.devstack.infra import StartupError, ensure_kafka_jars
from tools.devstack.stack import HELPDESK_DEMO_ACCOUNTS, Stack, StackConfig

URLS = (
    ("LINE simulator (chat as a senior)", "line_simulator", "/"),
    ("line_gateway API docs", "line_gateway", "/docs"),
    ("tablet_lending API docs", "tablet_lending", "/docs"),
    ("ai_chat API docs", "ai_chat", "/docs"),
    ("helpdesk API docs", "helpdesk", "/docs"),
    ("helpdesk staff page", "helpdesk", "/staff/"),
)


def print_urls(stack: Stack) -> None:
    print("\nThe Smart Senior Life platform is up:")
    for label, component, path in URLS:
        print(f"  {label:36} {stack.config.url(component)}{path}")
    print(f"  {'Kafka bootstrap':36} {stack.kafka.bootstrap_servers}")
    print(f"  {'MongoDB':36} {stack.mongo.uri}")
    if stack.prometheus is not None:
        print(f"  {'Prometheus (programme metrics)':36} {stack.prometheus.url}")
    print(f"  {'Logs':36} {stack.run_dir / 'logs'}")
    if "HELPDESK_DEMO_ACCOUNTS" not in stack.config.env:
        print("\nHelpdesk demo staff (user / password / roles):")
        for account in HELPDESK_DEMO_ACCOUNTS.split(","):
            username, password, roles, _name = account.split(":", 3)
            print(f"  {username:8} {password:20} {roles}")


async def up(stack: Stack) -> None:
    try:
        await stack.start()
    except StartupError as exc:
        print(f"Startup failed: {exc}", file=sys.stderr)
        stack.stop()
        raise SystemExit(1) from exc
    print_urls(stack)


async def run(stack: Stack) -> None:
    await up(stack)
    print("\nPress Ctrl-C to stop everything.")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        # Notice a crashed component instead of pretending all is well.
        for process in stack.processes():
            if not process.running():
                print(f"\n{process.name} stopped unexpectedly:\n{process.log_tail()}")
                stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=2.0)
    print("\nStopping ...")
    stack.stop()
    print("Stopped.")


async def status(stack: Stack) -> int:
    healthy = True
    async with httpx.AsyncClient(timeout=2.0) as client:
        for process in stack.processes():
            pid = process.pid
            state = f"running (pid {pid})" if pid else "stopped"
            if pid and process.name in stack.apps:
                try:
                    response = await client.get(stack.readiness_url(process.name))
                    state += " ready" if response.status_code == 200 else " NOT READY"
                    healthy = healthy and response.status_code == 200
                except httpx.HTTPError:
                    state += " not answering"
                    healthy = False
            healthy = healthy and pid is not None
            print(f"  {process.name:16} {state}")
    return 0 if healthy else 1


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.devstack")
    parser.add_argument("command", choices=["run", "up", "down", "status", "fetch-kafka"])
    args = parser.parse_args()
    if args.command == "fetch-kafka":
        print(ensure_kafka_jars())
        return
    stack = Stack(StackConfig.from_environment())
    if args.command == "run":
        asyncio.run(run(stack))
    elif args.command == "up":
        asyncio.run(up(stack))
    elif args.command == "down":
        stack.stop()
        print("Stopped every process the stack started.")
    else:
        raise SystemExit(asyncio.run(status(stack)))


if __name__ == "__main__":
    main()
