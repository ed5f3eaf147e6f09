"""Command line for the local stack: run (foreground), up, down, status."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys

import httpx

from tools.devstack.infra import StartupError, ensure_kafka_jars
from tools.devstack.stack import (
    HELPDESK_DEMO_ACCOUNTS,
    SERVICES,
    TABLET_LENDING_DEMO_ACCOUNTS,
    Stack,
    StackConfig,
)

URLS = (
    ("LINE simulator (chat as a senior)", "line_simulator", "/"),
    ("line_gateway API docs", "line_gateway", "/docs"),
    ("line_gateway sender role (metrics)", "line_gateway_sender", "/metrics"),
    ("tablet_lending console (programme office)", "tablet_lending", "/console/"),
    ("tablet_lending API docs", "tablet_lending", "/docs"),
    ("ai_chat API docs", "ai_chat", "/docs"),
    ("helpdesk API docs", "helpdesk", "/docs"),
    ("helpdesk staff page", "helpdesk", "/staff/"),
)


def print_urls(stack: Stack) -> None:
    rows = [(label, f"{stack.config.url(component)}{path}") for label, component, path in URLS]
    rows += [("Kafka bootstrap", stack.bootstrap_servers), ("MongoDB", stack.mongo.uri)]
    if stack.config.cluster > 1:
        rows.append(
            (
                "Cluster",
                f"{len(stack.kafka_nodes)} Kafka nodes, {len(stack.mongo_nodes)} "
                "replica set members, two instances of every service",
            )
        )
        rows.append(
            ("LINE webhooks (balancer)", f"{stack.config.url('webhook_balancer')}/callback")
        )
        for service in SERVICES:
            second = stack.config.instances(service)[1]
            rows.append((f"{service} (second instance)", stack.config.url(second)))
    if stack.prometheus is not None:
        rows.append(("Prometheus (programme metrics)", stack.prometheus.url))
    if stack.dovecot is not None:
        ports = stack.mail_ports
        rows.append(("Mail test page (send a test mail)", f"{stack.config.url('mail_control')}/"))
        rows.append(
            ("Mail: incoming SMTP / IMAPS", f"127.0.0.1:{ports.smtp} / 127.0.0.1:{ports.imap}")
        )
        rows.append(("Mail: submission (STARTTLS, sink)", f"127.0.0.1:{ports.submission}"))
    rows.append(("Logs", str(stack.run_dir / "logs")))
    # One column for every address, as wide as the longest label, so each can be read (and
    # copied) straight down.
    width = max(len(label) for label, _ in rows)
    print("\nThe Smart Senior Life platform is up:")
    for label, value in rows:
        print(f"  {label:{width}} {value}")
    if "HELPDESK_DEMO_ACCOUNTS" not in stack.config.env:
        print("\nHelpdesk demo staff (user / password / roles):")
        for account in HELPDESK_DEMO_ACCOUNTS.split(","):
            username, password, roles, _name = account.split(":", 3)
            print(f"  {username:8} {password:20} {roles}")
    if "TABLET_LENDING_DEMO_ACCOUNTS" not in stack.config.env:
        print("\nTablet lending console and API demo staff (user / password / role):")
        for account in TABLET_LENDING_DEMO_ACCOUNTS.split(","):
            username, password, roles, _name = account.split(":", 3)
            print(f"  {username:10} {password:22} {roles}")


KEPT_RUNNING = (
    "What started keeps running: `make status` shows each part, the logs are in {logs}; "
    "`make up` again starts only what is missing, `make down` stops everything."
)


def startup_patience() -> float:
    """How long `make up` waits for a slow service before it reports it (it keeps running)."""
    return float(os.environ.get("SSLP_STARTUP_PATIENCE_SECONDS", "600"))


def progress(line: str) -> None:
    print(line, flush=True)


async def up(stack: Stack) -> int:
    patience = startup_patience()
    print(f"Starting the platform (waiting up to {patience:.0f} s for slow services) ...")
    try:
        not_ready = await stack.start(patience=patience, progress=progress)
    except StartupError as exc:
        print(f"Startup failed: {exc}", file=sys.stderr)
        print(KEPT_RUNNING.format(logs=stack.run_dir / "logs"), file=sys.stderr)
        return 1
    if not_ready:
        print(
            f"Not ready after {patience:.0f} s: "
            + "; ".join(f"{state.name} ({state.detail})" for state in not_ready),
            file=sys.stderr,
        )
        print(KEPT_RUNNING.format(logs=stack.run_dir / "logs"), file=sys.stderr)
        return 1
    print_urls(stack)
    return 0


async def run(stack: Stack) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # Wait as long as it takes (with progress) for slow services, and let Ctrl-C end the wait:
    # the foreground run owns every process, so stopping means stopping them all.
    print("Starting the platform ...")
    starting = asyncio.create_task(stack.start(patience=None, progress=progress))
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        print("\nStopping ...")
        stack.stop()
        return 130
    stopping.cancel()
    try:
        starting.result()
    except StartupError as exc:
        print(f"Startup failed: {exc}", file=sys.stderr)
        stack.stop()
        return 1
    print_urls(stack)
    print("\nPress Ctrl-C to stop everything.")
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
    return 0


async def status(stack: Stack) -> int:
    healthy = True
    processes = stack.processes()
    # As wide as the longest name (line_gateway_sender), so the states line up.
    width = max(len(process.name) for process in processes)
    async with httpx.AsyncClient(timeout=2.0) as client:
        for process in processes:
            pid = process.pid
            state = f"running (pid {pid})" if pid else "stopped"
            if pid and process.name in stack.apps:
                app = await stack.app_state(process.name, client)
                state += " ready" if app.ready else f" NOT READY: {app.detail}"
                healthy = healthy and app.ready
            healthy = healthy and pid is not None
            print(f"  {process.name:{width}} {state}")
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
        raise SystemExit(asyncio.run(run(stack)))
    if args.command == "up":
        raise SystemExit(asyncio.run(up(stack)))
    if args.command == "down":
        stack.stop()
        print("Stopped every process the stack started.")
    else:
        raise SystemExit(asyncio.run(status(stack)))


if __name__ == "__main__":
    main()
