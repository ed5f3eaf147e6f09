"""Apache Kafka (a single KRaft node from Maven Central jars), mongod (a one-node replica set) and
Prometheus (Debian's package) scraping the services."""

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
    ) -> None:
        self.port = port
        self.controller_port = controller_port
        self._dir = state_dir / "kafka"
        self._heap = heap
        self._properties = self._dir / "server.properties"
        self.process = ManagedProcess(
            name="kafka",
            argv=self._argv(),
            env={},
            run_dir=run_dir,
            stop_timeout=30.0,
            die_with_parent=die_with_parent,
        )

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

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

    def prepare(self) -> None:
        lib = ensure_kafka_jars()
        data_dir = self._dir / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        self._properties.write_text(
            Template(KAFKA_PROPERTIES_TEMPLATE.read_text()).substitute(
                port=self.port, controller_port=self.controller_port, data_dir=data_dir
            )
        )
        cluster_id_file = self._dir / "cluster.id"
        if not cluster_id_file.exists():
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

    async def wait_ready(self, timeout: float = 90.0) -> None:
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
                return
            except Exception:
                if asyncio.get_running_loop().time() > deadline:
                    raise StartupError(
                        f"Kafka did not answer within {timeout:.0f}s:\n{self.process.log_tail()}"
                    ) from None
                await asyncio.sleep(0.5)
            finally:
                await admin.close()


class MongoNode:
    def __init__(
        self, *, state_dir: Path, run_dir: Path, port: int, die_with_parent: bool = False
    ) -> None:
        self.port = port
        self._data = state_dir / "mongodb" / "data"
        self.process = ManagedProcess(
            name="mongod",
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
                "0.5",
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
        return f"mongodb://127.0.0.1:{self.port}/?replicaSet={REPLICA_SET}"

    def start(self) -> None:
        self._data.mkdir(parents=True, exist_ok=True)
        self.process.start()

    async def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait for mongod, initiate the replica set once, and wait until it is PRIMARY."""
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
                    if "setName" not in hello:
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
                {"_id": REPLICA_SET, "members": [{"_id": 0, "host": f"127.0.0.1:{self.port}"}]},
            )
        except OperationFailure as exc:
            # 23 = AlreadyInitialized: a restart of an existing data folder.
            if exc.code != 23:
                raise


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
