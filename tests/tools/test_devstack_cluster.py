"""The devstack's cluster mode, as configured (no process started): three Kafka nodes and three
replica set members on their own ports and folders, two instances of every service with their
own INSTANCE_ID, webhooks through the balancer; the single-node default exactly as before."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest

from tools.devstack.balancer import create_app
from tools.devstack.stack import (
    CLUSTER_PORTS,
    CLUSTER_STATE_DIR,
    DEFAULT_PORTS,
    GATEWAY_SENDER,
    SERVICES,
    Stack,
    StackConfig,
)


def properties(text: str) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


def test_three_kafka_nodes_form_one_quorum_with_every_topic_on_all_three(tmp_path: Path) -> None:
    stack = Stack(StackConfig.isolated(tmp_path, cluster=3))
    nodes = stack.kafka_nodes
    assert [node.process.name for node in nodes] == ["kafka-1", "kafka-2", "kafka-3"]
    assert len({node.port for node in nodes} | {node.controller_port for node in nodes}) == 6
    rendered = [properties(node.properties(tmp_path / f"d{node.node_id}")) for node in nodes]
    voters = {f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in nodes}
    for node, props in zip(nodes, rendered, strict=True):
        assert props["node.id"] == str(node.node_id)
        assert set(props["controller.quorum.voters"].split(",")) == voters
        assert props["default.replication.factor"] == "3"
        assert props["offsets.topic.replication.factor"] == "3"
        assert props["transaction.state.log.replication.factor"] == "3"
        assert props["min.insync.replicas"] == "2"
        assert props["transaction.state.log.min.isr"] == "2"
    assert stack.bootstrap_servers == ",".join(f"127.0.0.1:{n.port}" for n in nodes)


def test_three_mongods_are_one_replica_set_each_in_its_own_folder(tmp_path: Path) -> None:
    stack = Stack(StackConfig.isolated(tmp_path, cluster=3))
    names = [node.process.name for node in stack.mongo_nodes]
    assert names == ["mongod-1", "mongod-2", "mongod-3"]
    ports = [node.port for node in stack.mongo_nodes]
    assert len(set(ports)) == 3
    hosts = ",".join(f"127.0.0.1:{port}" for port in ports)
    assert all(node.uri == f"mongodb://{hosts}/?replicaSet=rs0" for node in stack.mongo_nodes)
    folders = {
        Path(node.process.argv[node.process.argv.index("--dbpath") + 1])
        for node in stack.mongo_nodes
    }
    assert len(folders) == 3


def test_every_service_runs_twice_with_its_own_instance_id_and_port(tmp_path: Path) -> None:
    stack = Stack(StackConfig.isolated(tmp_path, cluster=3))
    env = stack.service_env()
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == stack.bootstrap_servers
    assert env["KAFKA_REPLICATION_FACTOR"] == "3"
    assert env["LINE_SIMULATOR_WEBHOOK_URL"] == (f"{stack.config.url('webhook_balancer')}/callback")
    for service in SERVICES:
        first, second = stack.config.instances(service)
        envs = [{**env, **stack._instance_env[name]} for name in (first, second)]
        assert envs[0]["INSTANCE_ID"] != envs[1]["INSTANCE_ID"]
        port_variable = f"{service.upper()}_PORT"
        assert envs[0][port_variable] == str(stack.config.ports[first])
        assert envs[1][port_variable] == str(stack.config.ports[second])
    balancer = stack._instance_env["webhook_balancer"]["WEBHOOK_BALANCER_UPSTREAMS"]
    assert balancer.split(",") == [
        stack.config.url(name) for name in stack.config.instances("line_gateway")
    ]


@pytest.mark.parametrize("cluster", [1, 3])
def test_the_gateway_runs_as_a_webhook_and_a_sender_process_each_with_its_own_id_and_port(
    tmp_path: Path, cluster: int
) -> None:
    stack = Stack(StackConfig.isolated(tmp_path, cluster=cluster))
    webhooks = stack.config.instances("line_gateway")
    senders = stack.config.instances(GATEWAY_SENDER)
    assert all(name in stack.apps for name in [*webhooks, *senders])
    envs = {
        name: {**stack.service_env(), **stack._instance_env[name]} for name in webhooks + senders
    }
    assert {envs[name]["LINE_GATEWAY_ROLE"] for name in webhooks} == {"webhook"}
    assert {envs[name]["LINE_GATEWAY_ROLE"] for name in senders} == {"sender"}
    gateways = [*webhooks, *senders]
    assert len({envs[name]["INSTANCE_ID"] for name in gateways}) == len(gateways)
    assert len({envs[name]["LINE_GATEWAY_PORT"] for name in gateways}) == len(gateways)
    for name in gateways:
        assert envs[name]["LINE_GATEWAY_PORT"] == str(stack.config.ports[name])
    # LINE calls the webhook role (through the balancer in the cluster), never a sender.
    upstreams = stack._instance_env.get("webhook_balancer", {}).get("WEBHOOK_BALANCER_UPSTREAMS")
    target = (
        upstreams.split(",") if upstreams else [stack.service_env()["LINE_SIMULATOR_WEBHOOK_URL"]]
    )
    assert not any(f":{stack.config.ports[name]}" in url for url in target for name in senders)


def test_the_single_node_stack_is_unchanged(tmp_path: Path) -> None:
    stack = Stack(StackConfig.isolated(tmp_path))
    assert [p.name for p in stack.processes()][:2] == ["mongod", "kafka"]
    assert set(stack.config.ports) == set(DEFAULT_PORTS)
    assert "webhook_balancer" not in stack.apps
    assert "INSTANCE_ID" not in stack.service_env()
    assert "KAFKA_REPLICATION_FACTOR" not in stack.service_env()
    assert stack.service_env()["LINE_SIMULATOR_WEBHOOK_URL"].endswith(
        f":{stack.config.ports['line_gateway']}/callback"
    )
    props = properties(stack.kafka.properties(tmp_path / "data"))
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == f"1@127.0.0.1:{stack.kafka.controller_port}"
    assert props["default.replication.factor"] == props["min.insync.replicas"] == "1"
    assert stack.mongo.uri == f"mongodb://127.0.0.1:{stack.mongo.port}/?replicaSet=rs0"
    assert (tmp_path / "kafka") == stack.kafka.properties_path.parent


def test_make_up_cluster_3_uses_its_own_folder_and_the_default_cluster_ports() -> None:
    config = StackConfig.from_environment({"SSLP_CLUSTER": "3"})
    assert config.cluster == 3
    assert config.state_dir == CLUSTER_STATE_DIR
    assert config.ports == {**DEFAULT_PORTS, **CLUSTER_PORTS}
    assert StackConfig.from_environment({}).cluster == 1
    with pytest.raises(ValueError, match="cluster is 1 or 3"):
        StackConfig.from_environment({"SSLP_CLUSTER": "2"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_balancer_skips_a_gateway_it_cannot_reach() -> None:
    async def upstream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(upstream, "127.0.0.1", 0)
    alive = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    dead = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    app = create_app([dead, alive])
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://balancer"
        ) as client:
            answers = [(await client.post("/callback", content=b"{}")) for _ in range(4)]
    finally:
        server.close()
        await server.wait_closed()
    assert [(a.status_code, a.text) for a in answers] == [(200, "ok")] * 4
