"""The whole platform on one machine: Kafka, mongod, the four services, the simulators and (for
`make run`/`make up`) Prometheus.

The cluster mode (`StackConfig.cluster = 3`, `make up CLUSTER=3`, `pytest --cluster 3`) runs three
Kafka KRaft nodes (every topic replicated three times, `min.insync.replicas=2`), a three-member
replica set, two instances of every service (distinct `INSTANCE_ID`s: their own outbox lease
owner, consumer group member and metrics label) and a balancer in front of the two gateways, which
is where the LINE simulator sends its webhooks. The default (1) is the single-node stack.
"""

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
from tools.devstack.infra import (
    KafkaNode,
    MongoNode,
    PrometheusNode,
    StartupError,
    wait_for_primary,
)
from tools.devstack.paths import LOCAL_DIR
from tools.devstack.processes import ManagedProcess

DEFAULT_PORTS = {
    "kafka": 9092,
    "kafka_controller": 9093,
    "mongodb": 27017,
    "line_gateway": 8001,
    # The gateway's sender role (line_gateway is its webhook role): metrics and health only.
    "line_gateway_sender": 8005,
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
# The cluster mode's extra ports: Kafka nodes 2 and 3, replica set members 2 and 3, the second
# instance of each service, and the balancer LINE's webhooks go to.
CLUSTER_PORTS = {
    "kafka_2": 9094,
    "kafka_controller_2": 9095,
    "kafka_3": 9096,
    "kafka_controller_3": 9097,
    "mongodb_2": 27018,
    "mongodb_3": 27019,
    "line_gateway_2": 8011,
    "line_gateway_sender_2": 8015,
    "tablet_lending_2": 8012,
    "ai_chat_2": 8013,
    "helpdesk_2": 8014,
    "webhook_balancer": 8000,
}
SERVICES = ("line_gateway", "tablet_lending", "ai_chat", "helpdesk")
# line_gateway runs as two processes, each its own event loop: the app named `line_gateway` is the
# webhook role (LINE's URL, `/callback`), `line_gateway_sender` the sender role (the consumers).
GATEWAY_SENDER = "line_gateway_sender"
CLUSTER_SIZE = 3
# Where `make up CLUSTER=3` keeps its state: apart from the single-node stack's, so the two never
# mix data folders, and `make down CLUSTER=3` finds the cluster's pid files.
CLUSTER_STATE_DIR = LOCAL_DIR / "cluster"
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


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports: all held at once while chosen, since the system may hand out
    a port just released again (with the cluster's 21 ports, two components could clash)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


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
    # 1: one Kafka node, a one-member replica set, one instance of each service. 3: the cluster.
    cluster: int = 1

    def __post_init__(self) -> None:
        if self.cluster not in (1, CLUSTER_SIZE):
            raise ValueError(f"cluster is 1 or {CLUSTER_SIZE}, not {self.cluster}")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> StackConfig:
        cluster = int(environ.get("SSLP_CLUSTER") or "1")
        defaults = {**DEFAULT_PORTS, **(CLUSTER_PORTS if cluster > 1 else {})}
        ports = {
            name: int(environ.get(f"{name.upper()}_PORT", default))
            for name, default in defaults.items()
        }
        env = {name: environ[name] for name in PASS_THROUGH if environ.get(name)}
        state_dir = LOCAL_DIR / "stack" if cluster == 1 else CLUSTER_STATE_DIR
        return cls(
            state_dir=Path(environ.get("SSLP_STATE_DIR", state_dir)),
            ports=ports,
            env=env,
            with_openai_server=environ.get("SSLP_WITH_OPENAI_TEST_SERVER") == "1",
            with_prometheus=environ.get("SSLP_WITH_PROMETHEUS", "1") != "0",
            with_mail=environ.get("SSLP_WITH_MAIL", "1") != "0",
            cluster=cluster,
        )

    @classmethod
    def isolated(cls, state_dir: Path, **overrides: object) -> StackConfig:
        """Free ports and a private folder: never collides with a running platform."""
        cluster = int(str(overrides.pop("cluster", 1)))
        names = [*DEFAULT_PORTS, *(CLUSTER_PORTS if cluster > 1 else ())]
        config = cls(
            state_dir=state_dir,
            ports=dict(zip(names, free_ports(len(names)), strict=True)),
            tied_to_parent=True,
            cluster=cluster,
        )
        for key, value in overrides.items():
            setattr(config, key, value)
        return config

    def instances(self, service: str) -> list[str]:
        """The app names of a service's instances: `ai_chat`, and `ai_chat_2` in the cluster."""
        return [service, f"{service}_2"] if self.cluster > 1 else [service]

    def url(self, component: str) -> str:
        return f"http://127.0.0.1:{self.ports[component]}"


def _suffix(number: int) -> str:
    return "" if number == 1 else f"_{number}"


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        run_dir = config.state_dir / "run"
        self.run_dir = run_dir
        self.kafka_nodes = self._kafka_nodes()
        self.mongo_nodes = self._mongo_nodes()
        # The first node of each: the only one by default (tests and tools use these).
        self.kafka = self.kafka_nodes[0]
        self.mongo = self.mongo_nodes[0]
        # Per app, what its instance sets apart from the shared environment.
        self._instance_env: dict[str, dict[str, str]] = {}
        self.apps: dict[str, ManagedProcess] = {}
        host = socket.gethostname()
        for service in SERVICES:
            for number, name in enumerate(config.instances(service), start=1):
                self.apps[name] = self._python_process(name, f"services.{service}")
                if config.cluster > 1:
                    self._instance_env[name] = {
                        f"{service.upper()}_PORT": str(config.ports[name]),
                        "INSTANCE_ID": f"{host}-{number}",
                    }
        for number, (webhook, sender) in enumerate(
            zip(config.instances("line_gateway"), config.instances(GATEWAY_SENDER), strict=True),
            start=1,
        ):
            # Distinct instance ids: each process's consumer member, lease owner and sessions
            # (ended when that process restarts) are its own.
            self._instance_env[webhook] = {
                "LINE_GATEWAY_PORT": str(config.ports[webhook]),
                "LINE_GATEWAY_ROLE": "webhook",
                "INSTANCE_ID": f"{host}-webhook-{number}",
            }
            self.apps[sender] = self._python_process(sender, "services.line_gateway")
            self._instance_env[sender] = {
                "LINE_GATEWAY_PORT": str(config.ports[sender]),
                "LINE_GATEWAY_ROLE": "sender",
                "INSTANCE_ID": f"{host}-sender-{number}",
            }
        if config.cluster > 1:
            self.apps["webhook_balancer"] = self._python_process(
                "webhook_balancer", "tools.devstack.balancer"
            )
            self._instance_env["webhook_balancer"] = {
                "WEBHOOK_BALANCER_PORT": str(config.ports["webhook_balancer"]),
                "WEBHOOK_BALANCER_UPSTREAMS": ",".join(
                    config.url(name) for name in config.instances("line_gateway")
                ),
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
                service_ports={name: config.ports[name] for name in (*SERVICES, GATEWAY_SENDER)},
                die_with_parent=config.tied_to_parent,
            )

    def _kafka_nodes(self) -> list[KafkaNode]:
        config = self.config
        single = config.cluster == 1
        numbers = range(1, config.cluster + 1)
        voters = ",".join(
            f"{n}@127.0.0.1:{config.ports['kafka_controller' + _suffix(n)]}" for n in numbers
        )
        return [
            KafkaNode(
                state_dir=config.state_dir,
                run_dir=self.run_dir,
                port=config.ports["kafka" + _suffix(n)],
                controller_port=config.ports["kafka_controller" + _suffix(n)],
                heap=config.kafka_heap if single else "512m",
                die_with_parent=config.tied_to_parent,
                node_id=n,
                name="kafka" if single else f"kafka-{n}",
                quorum_voters=None if single else voters,
                replication_factor=config.cluster,
                min_insync_replicas=1 if single else config.cluster - 1,
                cluster_id_file=None if single else config.state_dir / "kafka-cluster.id",
            )
            for n in numbers
        ]

    def _mongo_nodes(self) -> list[MongoNode]:
        config = self.config
        single = config.cluster == 1
        numbers = range(1, config.cluster + 1)
        members = [config.ports["mongodb" + _suffix(n)] for n in numbers]
        return [
            MongoNode(
                state_dir=config.state_dir,
                run_dir=self.run_dir,
                port=config.ports["mongodb" + _suffix(n)],
                die_with_parent=config.tied_to_parent,
                name="mongod" if single else f"mongod-{n}",
                members=members,
                # Three members share the machine's memory with three brokers.
                cache_gb="0.5" if single else "0.25",
            )
            for n in numbers
        ]

    # -- environment -------------------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        """Every Kafka node's address (one by default)."""
        return ",".join(node.bootstrap_servers for node in self.kafka_nodes)

    def service_env(self) -> dict[str, str]:
        ports = self.config.ports
        webhook_target = "webhook_balancer" if self.config.cluster > 1 else "line_gateway"
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "MONGODB_URI": self.mongo.uri,
            "LINE_API_BASE_URL": self.config.url("line_simulator"),
            "LINE_SIMULATOR_WEBHOOK_URL": f"{self.config.url(webhook_target)}/callback",
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
        # The helpdesk reads a senior's contact card from tablet_lending on a staff member's
        # behalf (both hold LENDING_CONTACT_SECRET; the development placeholder on a laptop).
        env["HELPDESK_LENDING_URL"] = self.config.url("tablet_lending")
        # ... and the senior's 呼び名 from ai_chat (both hold PREFERRED_NAME_SECRET).
        env["HELPDESK_AI_CHAT_URL"] = self.config.url("ai_chat")
        if not self.config.tied_to_parent:
            env["TABLET_LENDING_DEMO_DATA"] = "true"
        if self.config.with_mail:
            env.update(mail.mail_server_env(self.mail_paths, self.mail_ports))
            env.update(mail.helpdesk_mail_env(self.mail_paths, self.mail_ports))
        if self.config.cluster > 1:
            env["KAFKA_REPLICATION_FACTOR"] = str(self.config.cluster)
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
        for mongo in self.mongo_nodes:
            if not mongo.process.running():
                mongo.start()
        # Formatting Kafka's storage is a blocking JVM run per node: all of them at once, off the
        # event loop, and only then the brokers, together: a node waits for the quorum's other
        # members a limited time (initial.broker.registration.timeout.ms) before it gives up.
        kafkas = [node for node in self.kafka_nodes if not node.process.running()]
        await asyncio.gather(*(asyncio.to_thread(node.prepare) for node in kafkas))
        for kafka in kafkas:
            kafka.process.start()
        waits = {} if timeout is None else {"timeout": timeout}
        brokers = len(self.kafka_nodes)
        await asyncio.gather(
            *(node.wait_ready(**waits) for node in self.mongo_nodes),
            *(node.wait_ready(**waits, brokers=brokers) for node in self.kafka_nodes),
        )
        if len(self.mongo_nodes) > 1:
            await wait_for_primary(self.mongo.uri, **waits)

    def launch_apps(
        self, names: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None
    ) -> list[str]:
        """Start the apps that are not running yet, without waiting; returns the names."""
        selected = list(names or self.apps)
        for name in selected:
            process = self.apps[name]
            if not process.running():
                process.env = {
                    **self.service_env(),
                    **self._instance_env.get(name, {}),
                    **(env or {}),
                }
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
        for kafka in self.kafka_nodes:
            kafka.process.stop()
        for mongo in self.mongo_nodes:
            mongo.process.stop()

    def readiness_url(self, name: str) -> str:
        base = self.config.url(name) if name in self.config.ports else ""
        if name == "line_simulator":
            return f"{base}/sim/users"
        if name == "openai_server":
            return f"{base}/control/requests"
        if name == "mail_server":
            return f"{self.config.url('mail_control')}/control/health"
        # The balancer is ready when it reaches a gateway that is.
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
            *(node.process for node in self.mongo_nodes),
            *(node.process for node in self.kafka_nodes),
            *mailbox,
            *self.apps.values(),
            *monitoring,
        ]
