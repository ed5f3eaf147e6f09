"""The whole platform on one machine: Kafka, mongod, the four services, the simulators and (for
`make run`/`make up`) Prometheus."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

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

    async def start_infrastructure(self) -> None:
        for node in (self.mongo, self.kafka):
            if not node.process.running():
                node.start()
        await asyncio.gather(self.mongo.wait_ready(), self.kafka.wait_ready())

    async def start_apps(
        self, names: list[str] | None = None, *, env: Mapping[str, str] | None = None
    ) -> None:
        selected = names or list(self.apps)
        for name in selected:
            process = self.apps[name]
            if not process.running():
                process.env = {**self.service_env(), **(env or {})}
                process.start()
        await asyncio.gather(*(self.wait_app_ready(name) for name in selected))

    async def start(self) -> None:
        await self.start_infrastructure()
        await self.start_apps()
        if self.prometheus is not None and not self.prometheus.process.running():
            self.prometheus.start()
            await self.prometheus.wait_ready()

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
        self.kafka.process.stop()
        self.mongo.process.stop()

    def readiness_url(self, name: str) -> str:
        base = self.config.url(name)
        if name == "line_simulator":
            return f"{base}/sim/users"
        if name == "openai_server":
            return f"{base}/control/requests"
        return f"{base}/readyz"

    async def wait_app_ready(self, name: str, timeout: float = 60.0) -> None:
        process = self.apps[name]
        url = self.readiness_url(name)
        deadline = asyncio.get_running_loop().time() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                if not process.running():
                    raise StartupError(f"{name} exited during startup:\n{process.log_tail()}")
                try:
                    response = await client.get(url)
                    if response.status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise StartupError(
                        f"{name} was not ready within {timeout:.0f}s:\n{process.log_tail()}"
                    )
                await asyncio.sleep(0.25)

    def processes(self) -> list[ManagedProcess]:
        monitoring = [self.prometheus.process] if self.prometheus is not None else []
        return [self.mongo.process, self.kafka.process, *self.apps.values(), *monitoring]
