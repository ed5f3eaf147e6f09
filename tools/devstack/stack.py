"""The whole platform on one machine: Kafka, mongod, the four services, the simulators and (for
`make run`/`make up`) Prometheus."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tools.devstack import mail
from tools.devstack.infra import KafkaNode, MongoNode, PrometheusNode, StartupError
from tools.devstack.paths import LOCAL_DIR
from tools.devstack.processes import ManagedProcess

DEFAULT_PORTS = {
    "kafka": 9092,
    "kafka_controller": 9093,
    "mongodb": 27017,
    "line_gateway": 8001,
    "tablet_lending": 8002,
    "ai_chat": 8003,
    "helpdesk": 8004,
    "line_simulator": 8100,
    "openai_server": 8200,
    "prometheus": 9090,
    # The local mail parts (tools/devstack/mail.py): incoming SMTP, the submission port the
    # helpdesk sends through, the mail server's control page, Dovecot's IMAPS.
    "mail_smtp": 2525,
    "mail_submission": 2587,
    "mail_control": 8300,
    "mail_imap": 2993,
}
SERVICES = ("line_gateway", "tablet_lending", "ai_chat", "helpdesk")
# Helpdesk staff for the local stack and tests only (the helpdesk refuses them in production):
# "username:password:role[+role]:display name".
HELPDESK_DEMO_ACCOUNTS = (
    "tanaka:tanaka-demo-pass:agent:田中 (担当),"
    "suzuki:suzuki-demo-pass:agent:鈴木 (担当),"
    "sato:sato-demo-pass:supervisor+agent:佐藤 (主任),"
    "admin:admin-demo-pass:admin+supervisor+agent:管理者"
)
# Environment a developer may set for `make up` / `make run`; passed through to the services.
PASS_THROUGH = (
    "LINE_CHANNEL_SECRET",
    "LINE_CHANNEL_ACCESS_TOKEN",
    "LINE_API_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "LOG_LEVEL",
)
# username:password:roles:display name (development and demo only).
TABLET_LENDING_DEMO_ACCOUNTS = (
    "operator:operator-demo-pass:operator:運用担当（デモ）,"
    "supervisor:supervisor-demo-pass:supervisor:統括（デモ）,"
    "viewer:viewer-demo-pass:viewer:閲覧（デモ）"
)


@dataclass(frozen=True)
class AppState:
    """What one app of the stack says about itself while it starts."""

    name: str
    ready: bool
    detail: str
    exited: bool = False


def readiness_detail(response: httpx.Response) -> str:
    """Why `/readyz` said no: its status and the checks that are not ok."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    checks = body.get("checks") or {}
    failing = [f"{name}: {value}" for name, value in checks.items() if value != "ok"]
    status = str(body.get("status") or f"HTTP {response.status_code}")
    return f"{status} ({', '.join(failing)})" if failing else status


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class StackConfig:
    state_dir: Path
    ports: dict[str, int]
    # Extra environment for every service and simulator (secrets, model settings, tuning).
    env: dict[str, str] = field(default_factory=dict)
    with_openai_server: bool = False
    # Prometheus scraping the services: on for the developer's stack, off for test stacks (the
    # monitoring tests start their own against the test stack).
    with_prometheus: bool = False
    # The local mail servers (SMTP endpoint and sink, Dovecot): on for the developer's stack, off
    # for test stacks unless a test asks (the mail tests start their own).
    with_mail: bool = False
    kafka_heap: str = "768m"
    # Processes die with the Python process that started them (test runs), instead of
    # running on in the background (`make up`).
    tied_to_parent: bool = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> StackConfig:
        ports = {
            name: int(environ.get(f"{name.upper()}_PORT", default))
            for name, default in DEFAULT_PORTS.items()
        }
        env = {name: environ[name] for name in PASS_THROUGH if environ.get(name)}
        return cls(
            state_dir=Path(environ.get("SSLP_STATE_DIR", LOCAL_DIR / "stack")),
            ports=ports,
            env=env,
            with_openai_server=environ.get("SSLP_WITH_OPENAI_TEST_SERVER") == "1",
            with_prometheus=environ.get("SSLP_WITH_PROMETHEUS", "1") != "0",
            with_mail=environ.get("SSLP_WITH_MAIL", "1") != "0",
        )

    @classmethod
    def isolated(cls, state_dir: Path, **overrides: object) -> StackConfig:
        """Free ports and a private folder: never collides with a running platform."""
        config = cls(
            state_dir=state_dir,
            ports={name: free_port() for name in DEFAULT_PORTS},
            tied_to_parent=True,
        )
        for key, value in overrides.items():
            setattr(config, key, value)
        return config

    def url(self, component: str) -> str:
        return f"http://127.0.0.1:{self.ports[component]}"


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        run_dir = config.state_dir / "run"
        self.run_dir = run_dir
        self.kafka = KafkaNode(
            state_dir=config.state_dir,
            run_dir=run_dir,
            port=config.ports["kafka"],
            controller_port=config.ports["kafka_controller"],
            heap=config.kafka_heap,
            die_with_parent=config.tied_to_parent,
        )
        self.mongo = MongoNode(
            state_dir=config.state_dir,
            run_dir=run_dir,
            port=config.ports["mongodb"],
            die_with_parent=config.tied_to_parent,
        )
        self.apps: dict[str, ManagedProcess] = {
            name: self._python_process(name, f"services.{name}") for name in SERVICES
        }
        self.apps["line_simulator"] = self._python_process("line_simulator", "tools.line_simulator")
        if config.with_openai_server:
            self.apps["openai_server"] = self._python_process(
                "openai_server", "tools.openai_server"
            )
        self.mail_paths = mail.MailPaths(config.state_dir / "mail")
        self.mail_ports = mail.MailPorts(
            smtp=config.ports["mail_smtp"],
            submission=config.ports["mail_submission"],
            control=config.ports["mail_control"],
            imap=config.ports["mail_imap"],
        )
        self.dovecot: mail.DovecotNode | None = None
        if config.with_mail:
            self.apps["mail_server"] = mail.mail_server_process(
                run_dir, die_with_parent=config.tied_to_parent
            )
            self.dovecot = mail.DovecotNode(
                paths=self.mail_paths,
                port=self.mail_ports.imap,
                run_dir=run_dir,
                die_with_parent=config.tied_to_parent,
            )
        self.prometheus: PrometheusNode | None = None
        if config.with_prometheus:
            self.prometheus = PrometheusNode(
                state_dir=config.state_dir,
                run_dir=run_dir,
                port=config.ports["prometheus"],
                service_ports={name: config.ports[name] for name in SERVICES},
                die_with_parent=config.tied_to_parent,
            )

    # -- environment -------------------------------------------------------------------------

    def service_env(self) -> dict[str, str]:
        ports = self.config.ports
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers,
            "MONGODB_URI": self.mongo.uri,
            "LINE_API_BASE_URL": self.config.url("line_simulator"),
            "LINE_SIMULATOR_WEBHOOK_URL": f"{self.config.url('line_gateway')}/callback",
            "LINE_SIMULATOR_PORT": str(ports["line_simulator"]),
            # LINE redelivers what the gateway did not acknowledge (the console setting the
            # README asks for in production), in the demo and in every test stack.
            "LINE_SIMULATOR_WEBHOOK_REDELIVERY": "true",
            "OPENAI_TEST_SERVER_PORT": str(ports["openai_server"]),
            "PYTHONUNBUFFERED": "1",
            "HELPDESK_DEMO_ACCOUNTS": HELPDESK_DEMO_ACCOUNTS,
        }
        for name in SERVICES:
            env[f"{name.upper()}_PORT"] = str(ports[name])
        # tablet_lending: demo staff accounts (never in production: its settings refuse them),
        # and the fictional demo cohort for `make run`/`make up` only, not for test stacks.
        env["TABLET_LENDING_DEMO_ACCOUNTS"] = TABLET_LENDING_DEMO_ACCOUNTS
        if not self.config.tied_to_parent:
            env["TABLET_LENDING_DEMO_DATA"] = "true"
        if self.config.with_mail:
            env.update(mail.mail_server_env(self.mail_paths, self.mail_ports))
            env.update(mail.helpdesk_mail_env(self.mail_paths, self.mail_ports))
        env.update(self.config.env)
        return env

    def _python_process(self, name: str, module: str) -> ManagedProcess:
        return ManagedProcess(
            name=name,
            argv=[sys.executable, "-m", module],
            env={},  # filled in at start, when ports and overrides are final
            run_dir=self.run_dir,
            die_with_parent=self.config.tied_to_parent,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    async def start_infrastructure(self, *, timeout: float | None = None) -> None:
        """Start mongod and Kafka unless they run, and wait for both (`timeout`: their defaults)."""
        for node in (self.mongo, self.kafka):
            if not node.process.running():
                node.start()
        waits = {} if timeout is None else {"timeout": timeout}
        await asyncio.gather(self.mongo.wait_ready(**waits), self.kafka.wait_ready(**waits))

    def launch_apps(
        self, names: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None
    ) -> list[str]:
        """Start the apps that are not running yet, without waiting; returns the names."""
        selected = list(names or self.apps)
        for name in selected:
            process = self.apps[name]
            if not process.running():
                process.env = {**self.service_env(), **(env or {})}
                process.start()
        return selected

    async def start_apps(
        self,
        names: list[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> None:
        """Start apps and wait for them; not ready within `timeout` is an error (for tests)."""
        selected = self.launch_apps(names, env=env)
        not_ready = await self.wait_apps_ready(selected, timeout=timeout)
        if not_ready:
            raise StartupError(
                f"not ready within {timeout:.0f}s: "
                + "; ".join(f"{state.name} ({state.detail})" for state in not_ready)
                + "".join(
                    f"\n--- {state.name} ---\n{self.apps[state.name].log_tail()}"
                    for state in not_ready
                )
            )

    async def start(
        self,
        *,
        patience: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> list[AppState]:
        """Everything, for `make run`/`make up`: returns the apps still not ready after `patience`
        seconds (None: wait as long as it takes), reporting progress while it waits.

        A slow app is waited for, not given up on: nothing that started is stopped here. An app
        that exits raises `StartupError`; what runs keeps running.
        """
        await self.start_infrastructure(timeout=patience)
        await self.start_mailbox()
        selected = self.launch_apps()
        if self.prometheus is not None and not self.prometheus.process.running():
            # Prometheus only scrapes the apps: it need not wait for them to be ready.
            self.prometheus.start()
            await self.prometheus.wait_ready()
        return await self.wait_apps_ready(selected, timeout=patience, progress=progress)

    async def start_mailbox(self) -> None:
        """Certificate, folders and Dovecot, before the mail server and the helpdesk start."""
        if self.dovecot is None:
            return
        mail.prepare(self.mail_paths)
        if not self.dovecot.process.running():
            self.dovecot.start()
        try:
            await self.dovecot.wait_ready()
        except mail.MailStartupError as exc:
            raise StartupError(str(exc)) from exc

    async def restart_app(
        self, name: str, *, crash: bool = False, env: Mapping[str, str] | None = None
    ) -> None:
        """Stop (or kill, for crash tests) one app and start it again, optionally reconfigured."""
        process = self.apps[name]
        if crash:
            process.kill()
        else:
            process.stop()
        await self.start_apps([name], env=env)

    def stop(self) -> None:
        """Stop everything this stack started: Prometheus, the apps, then Kafka, then mongod."""
        if self.prometheus is not None:
            self.prometheus.process.stop()
        for process in reversed(list(self.apps.values())):
            process.stop()
        if self.dovecot is not None:
            self.dovecot.process.stop()
        self.kafka.process.stop()
        self.mongo.process.stop()

    def readiness_url(self, name: str) -> str:
        base = self.config.url(name) if name in self.config.ports else ""
        if name == "line_simulator":
            return f"{base}/sim/users"
        if name == "openai_server":
            return f"{base}/control/requests"
        if name == "mail_server":
            return f"{self.config.url('mail_control')}/control/health"
        return f"{base}/readyz"

    async def app_state(self, name: str, client: httpx.AsyncClient) -> AppState:
        if not self.apps[name].running():
            return AppState(name, ready=False, detail="exited", exited=True)
        try:
            response = await client.get(self.readiness_url(name))
        except httpx.HTTPError:
            return AppState(name, ready=False, detail="not answering yet")
        if response.status_code == 200:
            return AppState(name, ready=True, detail="ready")
        return AppState(name, ready=False, detail=readiness_detail(response))

    async def wait_apps_ready(
        self,
        names: Sequence[str],
        *,
        timeout: float | None,
        progress: Callable[[str], None] | None = None,
        progress_every: float = 10.0,
    ) -> list[AppState]:
        """Wait until every app in `names` is ready; returns those still not ready once `timeout`
        seconds have passed (None: no limit). An app that exits raises `StartupError`."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        next_report = started + progress_every
        pending = list(names)
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                states = await asyncio.gather(*(self.app_state(n, client) for n in pending))
                exited = [state.name for state in states if state.exited]
                if exited:
                    raise StartupError(
                        f"{', '.join(exited)} exited during startup:"
                        + "".join(f"\n--- {n} ---\n{self.apps[n].log_tail()}" for n in exited)
                    )
                waiting = [state for state in states if not state.ready]
                if not waiting:
                    return []
                pending = [state.name for state in waiting]
                now = loop.time()
                if timeout is not None and now - started > timeout:
                    return waiting
                if progress is not None and now >= next_report:
                    next_report = now + progress_every
                    progress(
                        f"  still starting after {now - started:.0f} s: "
                        + "; ".join(f"{state.name} ({state.detail})" for state in waiting)
                    )
                await asyncio.sleep(0.25)

    async def wait_app_ready(self, name: str, timeout: float = 60.0) -> None:
        not_ready = await self.wait_apps_ready([name], timeout=timeout)
        if not_ready:
            raise StartupError(
                f"{name} was not ready within {timeout:.0f}s ({not_ready[0].detail}):\n"
                f"{self.apps[name].log_tail()}"
            )

    def processes(self) -> list[ManagedProcess]:
        monitoring = [self.prometheus.process] if self.prometheus is not None else []
        mailbox = [self.dovecot.process] if self.dovecot is not None else []
        return [
            self.mongo.process,
            self.kafka.process,
            *mailbox,
            *self.apps.values(),
            *monitoring,
        ]
