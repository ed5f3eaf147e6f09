"""Apache Kafka (KRaft nodes from Maven Central jars), mongod (replica set members) and Prometheus
(Debian's package) scraping the services.

By default one Kafka node and a one-member replica set; the cluster mode (`make up CLUSTER=3`)
runs three of each, every one with its own ports, data folder, process and log, started and
stopped alike.
"""

from __future__ import annotations

import asyncio
import base64
import shutil
import subprocess
import uuid
from pathlib import Path
from string import Template

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure, PyMongoError

from tools.devstack.paths import (
    KAFKA_LOG4J,
    KAFKA_POM,
    KAFKA_PROPERTIES_TEMPLATE,
    PROMETHEUS_LOCAL_TEMPLATE,
    PROMETHEUS_RULES_DIR,
    kafka_lib_dir,
    kafka_version,
    mongod_binary,
)
from tools.devstack.processes import ManagedProcess

REPLICA_SET = "rs0"


class StartupError(RuntimeError):
    pass


def ensure_kafka_jars() -> Path:
    """Fetch the broker's jars with Maven once; later runs reuse them."""
    lib = kafka_lib_dir()
    marker = lib / f"kafka_2.13-{kafka_version()}.jar"
    if marker.exists():
        return lib
    if shutil.which("mvn") is None:
        raise StartupError(
            "Maven (mvn) is needed to fetch Kafka; install it (apt-get install maven)"
        )
    lib.mkdir(parents=True, exist_ok=True)
    print(f"Fetching Apache Kafka {kafka_version()} from Maven Central into {lib} ...")
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(KAFKA_POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={lib}",
        ],
        check=True,
    )
    if not marker.exists():
        raise StartupError(f"Maven finished but {marker.name} is missing")
    return lib


def _kafka_cluster_id() -> str:
    """A random id in Kafka's format; like Kafka's own, never starting with '-' (a CLI flag)."""
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not candidate.startswith("-"):
            return candidate


async def _port_open(port: int) -> bool:
    try:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


class KafkaNode:
    def __init__(
        self,
        *,
        state_dir: Path,
        run_dir: Path,
        port: int,
        controller_port: int,
        heap: str,
        die_with_parent: bool = False,
        node_id: int = 1,
        name: str = "kafka",
        quorum_voters: str | None = None,
        replication_factor: int = 1,
        min_insync_replicas: int = 1,
        cluster_id_file: Path | None = None,
    ) -> None:
        self.port = port
        self.controller_port = controller_port
        self.node_id = node_id
        self._dir = state_dir / name
        self._heap = heap
        self._properties = self._dir / "server.properties"
        self._quorum_voters = quorum_voters or f"{node_id}@127.0.0.1:{controller_port}"
        self._replication_factor = replication_factor
        self._min_insync_replicas = min_insync_replicas
        # Every node of a cluster is formatted with the same cluster id.
        self._cluster_id_file = cluster_id_file or self._dir / "cluster.id"
        self.process = ManagedProcess(
            name=name,
            argv=self._argv(),
            env={},
            run_dir=run_dir,
            stop_timeout=30.0,
            die_with_parent=die_with_parent,
        )

    @property
    def bootstrap_servers(self) -> str:
        """This node's own address (the stack's `bootstrap_servers` lists every node)."""
        return f"127.0.0.1:{self.port}"

    @property
    def properties_path(self) -> Path:
        return self._properties

    def _argv(self) -> list[str]:
        java = shutil.which("java") or "java"
        return [
            java,
            "-Xms256m",
            f"-Xmx{self._heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{KAFKA_LOG4J}",
            f"-Dkafka.logs.dir={self._dir / 'logs'}",
            "-cp",
            f"{kafka_lib_dir()}/*",
            "kafka.Kafka",
            str(self._properties),
        ]

    def properties(self, data_dir: Path) -> str:
        """This node's server.properties, from the template."""
        return Template(KAFKA_PROPERTIES_TEMPLATE.read_text()).substitute(
            port=self.port,
            controller_port=self.controller_port,
            data_dir=data_dir,
            node_id=self.node_id,
            quorum_voters=self._quorum_voters,
            replication_factor=self._replication_factor,
            min_insync_replicas=self._min_insync_replicas,
        )

    def prepare(self) -> None:
        lib = ensure_kafka_jars()
        data_dir = self._dir / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        self._properties.write_text(self.properties(data_dir))
        cluster_id_file = self._cluster_id_file
        if not cluster_id_file.exists():
            cluster_id_file.parent.mkdir(parents=True, exist_ok=True)
            cluster_id_file.write_text(_kafka_cluster_id())
        subprocess.run(
            [
                shutil.which("java") or "java",
                f"-Dlog4j.configuration=file:{KAFKA_LOG4J}",
                "-cp",
                f"{lib}/*",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id_file.read_text().strip(),
                "-c",
                str(self._properties),
                "--ignore-formatted",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self.prepare()
        self.process.start()

    async def wait_ready(self, timeout: float = 90.0, *, brokers: int = 1) -> None:
        """Wait until the node answers and sees `brokers` brokers in its cluster."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if not self.process.running():
                raise StartupError(f"Kafka exited during startup:\n{self.process.log_tail()}")
            if not await _port_open(self.port):
                if asyncio.get_running_loop().time() > deadline:
                    raise StartupError(
                        f"Kafka did not listen within {timeout:.0f}s:\n{self.process.log_tail()}"
                    )
                await asyncio.sleep(0.3)
                continue
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.bootstrap_servers, request_timeout_ms=3000
            )
            try:
                await admin.start()
                await admin.list_topics()
                if len((await admin.describe_cluster())["brokers"]) >= brokers:
                    return
                raise StartupError("not every broker has registered yet")
            except Exception:
                if asyncio.get_running_loop().time() > deadline:
                    raise StartupError(
                        f"Kafka did not answer within {timeout:.0f}s:\n{self.process.log_tail()}"
                    ) from None
                await asyncio.sleep(0.5)
            finally:
                await admin.close()


class MongoNode:
    """One member of the replica set: the only one by default; the first of `members` (all
    members' ports, this one's included) initiates the set in the cluster mode."""

    def __init__(
        self,
        *,
        state_dir: Path,
        run_dir: Path,
        port: int,
        die_with_parent: bool = False,
        name: str = "mongod",
        members: list[int] | None = None,
        cache_gb: str = "0.5",
    ) -> None:
        self.port = port
        self.members = members or [port]
        self._data = state_dir / ("mongodb" if name == "mongod" else name) / "data"
        self.process = ManagedProcess(
            name=name,
            argv=[
                str(mongod_binary()),
                "--replSet",
                REPLICA_SET,
                "--bind_ip",
                "127.0.0.1",
                "--port",
                str(port),
                "--dbpath",
                str(self._data),
                "--quiet",
                # Small caches: this is one laptop or CI machine sharing memory with Kafka.
                "--wiredTigerCacheSizeGB",
                cache_gb,
                "--setParameter",
                "diagnosticDataCollectionEnabled=false",
            ],
            env={},
            run_dir=run_dir,
            stop_timeout=30.0,
            die_with_parent=die_with_parent,
        )

    @property
    def uri(self) -> str:
        """The replica set's URI (every member, so the driver finds the primary wherever it is)."""
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.members)
        return f"mongodb://{hosts}/?replicaSet={REPLICA_SET}"

    def start(self) -> None:
        self._data.mkdir(parents=True, exist_ok=True)
        self.process.start()

    async def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait for mongod, initiate the replica set once, and wait until it is PRIMARY (alone) or
        PRIMARY or SECONDARY (a member of three: which one is primary is the set's choice)."""
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            f"mongodb://127.0.0.1:{self.port}/?directConnection=true",
            serverSelectionTimeoutMS=1000,
        )
        deadline = asyncio.get_running_loop().time() + timeout
        try:
            while True:
                if not self.process.running():
                    raise StartupError(f"mongod exited during startup:\n{self.process.log_tail()}")
                try:
                    hello = await client.admin.command("hello")
                    if hello.get("isWritablePrimary"):
                        return
                    if len(self.members) > 1 and hello.get("secondary"):
                        return
                    if "setName" not in hello and self.port == self.members[0]:
                        await self._initiate(client)
                except PyMongoError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise StartupError(
                        f"mongod did not become PRIMARY within {timeout:.0f}s:\n"
                        f"{self.process.log_tail()}"
                    )
                await asyncio.sleep(0.3)
        finally:
            await client.close()

    async def _initiate(self, client: AsyncMongoClient[dict[str, object]]) -> None:
        try:
            await client.admin.command(
                "replSetInitiate",
                {
                    "_id": REPLICA_SET,
                    "members": [
                        {"_id": index, "host": f"127.0.0.1:{port}"}
                        for index, port in enumerate(self.members)
                    ],
                },
            )
        except OperationFailure as exc:
            # 23 = AlreadyInitialized: a restart of an existing data folder.
            if exc.code != 23:
                raise


async def wait_for_primary(uri: str, timeout: float = 60.0) -> None:
    """Wait until the replica set at `uri` has a primary that takes writes."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        uri, serverSelectionTimeoutMS=int(timeout * 1000)
    )
    try:
        # A command goes to the primary: it answers once the set has elected one.
        await client.admin.command("ping")
    except PyMongoError as exc:
        raise StartupError(f"the replica set had no primary within {timeout:.0f}s: {exc}") from exc
    finally:
        await client.close()


def render_prometheus_config(service_ports: dict[str, int], *, scrape_interval: str) -> str:
    """The local stack's Prometheus config: the services on loopback, the project's rules."""
    return Template(PROMETHEUS_LOCAL_TEMPLATE.read_text()).substitute(
        scrape_interval=scrape_interval,
        rules_dir=PROMETHEUS_RULES_DIR,
        **{f"{name}_port": port for name, port in service_ports.items()},
    )


class PrometheusNode:
    """Debian's Prometheus scraping the local stack's services, with the project's rules."""

    def __init__(
        self,
        *,
        state_dir: Path,
        run_dir: Path,
        port: int,
        service_ports: dict[str, int],
        scrape_interval: str = "5s",
        die_with_parent: bool = False,
    ) -> None:
        self.port = port
        self._dir = state_dir / "prometheus"
        self._config = self._dir / "prometheus.yml"
        self._service_ports = service_ports
        self._scrape_interval = scrape_interval
        self.process = ManagedProcess(
            name="prometheus",
            argv=[
                shutil.which("prometheus") or "prometheus",
                f"--config.file={self._config}",
                f"--storage.tsdb.path={self._dir / 'data'}",
                "--storage.tsdb.retention.time=15d",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            env={},
            run_dir=run_dir,
            stop_timeout=20.0,
            die_with_parent=die_with_parent,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if shutil.which("prometheus") is None:
            raise StartupError(
                "Prometheus is needed for the local metrics; install it with "
                "scripts/install-system-packages (Debian package prometheus)"
            )
        (self._dir / "data").mkdir(parents=True, exist_ok=True)
        self._config.write_text(
            render_prometheus_config(self._service_ports, scrape_interval=self._scrape_interval)
        )
        self.process.start()

    async def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                if not self.process.running():
                    raise StartupError(
                        f"Prometheus exited during startup:\n{self.process.log_tail()}"
                    )
                try:
                    if (await client.get(f"{self.url}/-/ready")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise StartupError(
                        f"Prometheus was not ready within {timeout:.0f}s:\n"
                        f"{self.process.log_tail()}"
                    )
                await asyncio.sleep(0.3)
