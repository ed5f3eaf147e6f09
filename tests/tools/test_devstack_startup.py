"""Starting the stack tolerates a slow service: it waits, says who is not ready and why, and
stops nothing that started. Real processes stand in for the services (an HTTP server that says
"not ready" on /readyz for a while), so no Kafka or mongod is needed here."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.devstack import __main__ as devstack
from tools.devstack.infra import StartupError
from tools.devstack.processes import ManagedProcess
from tools.devstack.stack import AppState, Stack, StackConfig

SLOW_SERVICE = """
import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
port, ready_after = int(sys.argv[1]), float(sys.argv[2])
started = time.monotonic()
class Readiness(BaseHTTPRequestHandler):
    def do_GET(self):
        ready = time.monotonic() - started >= ready_after
        body = json.dumps({"status": "ready" if ready else "not ready",
                           "checks": {"mongodb": "ok", "kafka": "ok" if ready else "unreachable"}})
        self.send_response(200 if ready else 503)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())
    def log_message(self, *args):
        pass
HTTPServer(("127.0.0.1", port), Readiness).serve_forever()
"""


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    made = Stack(StackConfig.isolated(tmp_path))
    try:
        yield made
    finally:
        for process in made.apps.values():
            process.kill()


def service(stack: Stack, name: str, *, ready_after: float) -> None:
    """Replace an app of the stack by a process that becomes ready after `ready_after` s."""
    port = stack.config.ports[name]
    stack.apps = {
        **stack.apps,
        name: ManagedProcess(
            name=name,
            argv=[sys.executable, "-c", SLOW_SERVICE, str(port), str(ready_after)],
            env={},
            run_dir=stack.run_dir,
            die_with_parent=True,
        ),
    }


async def test_a_slow_service_is_waited_for_with_progress_naming_it(stack: Stack) -> None:
    service(stack, "ai_chat", ready_after=3.0)
    service(stack, "helpdesk", ready_after=0.0)
    stack.launch_apps(["ai_chat", "helpdesk"])
    reports: list[str] = []

    not_ready = await stack.wait_apps_ready(
        ["ai_chat", "helpdesk"], timeout=None, progress=reports.append, progress_every=1.0
    )

    assert not_ready == []
    # Progress names the slow service and what its /readyz says is missing.
    assert any("ai_chat (not ready (kafka: unreachable))" in line for line in reports)


async def test_past_its_patience_the_wait_reports_who_and_why_and_stops_nothing(
    stack: Stack,
) -> None:
    service(stack, "ai_chat", ready_after=600.0)
    stack.launch_apps(["ai_chat"])

    not_ready = await stack.wait_apps_ready(["ai_chat"], timeout=1.5)

    assert not_ready == [AppState("ai_chat", ready=False, detail="not ready (kafka: unreachable)")]
    assert stack.apps["ai_chat"].running()


async def test_a_service_that_exits_is_an_error_and_the_others_keep_running(stack: Stack) -> None:
    service(stack, "ai_chat", ready_after=600.0)
    service(stack, "helpdesk", ready_after=600.0)
    stack.apps["helpdesk"].argv = [sys.executable, "-c", "raise SystemExit(3)"]
    stack.launch_apps(["ai_chat", "helpdesk"])

    with pytest.raises(StartupError, match="helpdesk exited during startup"):
        await stack.wait_apps_ready(["ai_chat", "helpdesk"], timeout=None)
    assert stack.apps["ai_chat"].running()


class NotReadyStack(Stack):
    """`make up` on a stack whose ai_chat stays unready, without starting anything real."""

    stopped = False

    async def start(self, **_: object) -> list[AppState]:
        return [AppState("ai_chat", ready=False, detail="not ready (kafka: unreachable)")]

    def stop(self) -> None:
        self.stopped = True


async def test_make_up_reports_a_service_not_ready_and_leaves_everything_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSLP_STARTUP_PATIENCE_SECONDS", "5")
    stack = NotReadyStack(StackConfig.isolated(tmp_path))

    assert await devstack.up(stack) == 1

    assert not stack.stopped
    err = capsys.readouterr().err
    assert "Not ready after 5 s: ai_chat (not ready (kafka: unreachable))" in err
    assert "What started keeps running" in err


def test_the_printed_urls_include_both_staff_pages_and_both_sets_of_demo_sign_ins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = Stack(StackConfig.isolated(tmp_path))
    devstack.print_urls(made)
    printed = capsys.readouterr().out
    lending = made.config.url("tablet_lending")
    assert f"{lending}/console/" in printed
    assert f"{made.config.url('helpdesk')}/staff/" in printed
    for username, password in (
        ("tanaka", "tanaka-demo-pass"),
        ("operator", "operator-demo-pass"),
        ("supervisor", "supervisor-demo-pass"),
        ("viewer", "viewer-demo-pass"),
    ):
        assert any(line.split()[:2] == [username, password] for line in printed.splitlines()), (
            username
        )


def test_the_printed_addresses_line_up_in_one_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The console's label is the longest: every address still starts where the others do."""
    made = Stack(StackConfig.isolated(tmp_path))
    devstack.print_urls(made)
    printed = capsys.readouterr().out
    block = printed.split("is up:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    starts = {line.index(value) for line in block for value in line.split() if "://" in value}
    assert f"{made.config.url('tablet_lending')}/console/" in printed
    assert len(starts) == 1, block


async def test_make_status_lines_the_states_up_under_the_longest_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = Stack(StackConfig.isolated(tmp_path))  # nothing started: every part is stopped

    assert await devstack.status(stack) == 1

    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert any(line.split()[0] == "line_gateway_sender" for line in lines)
    assert {line.index("stopped") for line in lines} == {lines[0].index("stopped")}, lines
