"""docker-compose.yml agrees with the code it deploys.

The file is checked against the services' settings classes (a misspelt variable is silently
ignored at run time, so it must fail here), the Kafka version the tests run on, the local
broker's configuration, and itself (URLs point at services that exist, on the right ports).
Where Docker Compose v2 is installed it validates the file as well.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from tests.deploy.support import (
    COMPOSE_FILE,
    PRODUCTION_ENV,
    ROOT,
    SERVICES,
    SIMULATORS,
    Deployed,
    MissingVariableError,
    accepted_env_names,
    compose,
    compose_service,
    environment,
    image_tag,
    interpolate,
    interpolated,
    kafka_env_to_property,
    kafka_template_properties,
    kafka_version_in_pom,
    prefix_of,
    published_ports,
    volume_mounts,
)

# The gateway's sender role: the same module and settings as line_gateway (its webhook role).
GATEWAY_SENDER = Deployed(
    "line_gateway_sender",
    "services.line_gateway",
    "services.line_gateway.settings",
    "LineGatewaySettings",
)
ALL_DEPLOYED = (*SERVICES, GATEWAY_SENDER, *SIMULATORS)
# A value to set through the environment, and what the field then holds, by field type.
PROBES: dict[object, tuple[str, object]] = {
    int: ("4242", 4242),
    float: ("42.5", 42.5),
    str: ("probe-value", "probe-value"),
    str | None: ("probe-value", "probe-value"),
}


def default_port(deployed: Deployed) -> int:
    port = deployed.settings_type().model_fields["port"].default
    assert isinstance(port, int)
    return port


def resolved_environment(name: str, env: dict[str, str]) -> dict[str, str]:
    return environment(interpolated(compose_service(name), env))


def settings_from(deployed: Deployed, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The service's settings as its container would build them from `env` alone."""
    settings_type = deployed.settings_type()
    for name in list(os.environ):
        if name.upper() in accepted_env_names(settings_type) or name.upper().startswith(
            prefix_of(settings_type)
        ):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return settings_type()


# -- Docker Compose itself ------------------------------------------------------------------------


def compose_cli() -> list[str] | None:
    """Compose v2 (the plugin, or a standalone v2 binary); v1 predates the `name:` key."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run(
            [*command, "version", "--short"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip().lstrip("v").startswith("2"):
            return command
    return None


def test_docker_compose_accepts_the_file_and_refuses_missing_secrets():
    command = compose_cli()
    if command is None:
        pytest.skip("Docker Compose v2 is not installed here")
    base = [*command, "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE)]
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}

    ok = subprocess.run(
        [*base, "--profile", "dev", "config", "-q"],
        env={**env, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr

    missing = subprocess.run(
        [*base, "config", "-q"],
        env={**env, **PRODUCTION_ENV, "LINE_CHANNEL_SECRET": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode != 0
    assert "LINE_CHANNEL_SECRET" in missing.stderr


# -- Kafka ---------------------------------------------------------------------------------------


def test_kafka_image_is_the_version_the_tests_run_on():
    name, tag = image_tag(compose_service("kafka")["image"])
    assert name == "apache/kafka"
    assert tag == kafka_version_in_pom()


def test_kafka_is_configured_like_the_local_broker():
    """Every fixed setting of deploy/kafka/server.properties.template is set alike here."""
    kafka_env = environment(compose_service("kafka"))
    configured = {
        kafka_env_to_property(name): value
        for name, value in kafka_env.items()
        if name.startswith("KAFKA_") and name != "KAFKA_HEAP_OPTS"
    }
    fixed = {key: value for key, value in kafka_template_properties().items() if "${" not in value}
    assert "auto.create.topics.enable" in fixed
    for key, value in fixed.items():
        assert configured.get(key) == value, f"{key}: compose {configured.get(key)!r} != {value!r}"
    assert configured["process.roles"] == "broker,controller"
    assert kafka_env["CLUSTER_ID"]


def test_kafka_keeps_its_log_on_a_named_volume_and_checks_health_with_its_own_cli():
    kafka = compose_service("kafka")
    log_dir = environment(kafka)["KAFKA_LOG_DIRS"]
    mounts = volume_mounts(kafka)
    assert log_dir in mounts
    assert mounts[log_dir] in compose()["volumes"]
    check = " ".join(kafka["healthcheck"]["test"])
    assert "/opt/kafka/bin/kafka-topics.sh --bootstrap-server localhost:9092 --list" in check


def test_kafka_advertises_the_address_every_service_bootstraps_from():
    kafka_env = environment(compose_service("kafka"))
    advertised = {
        urlsplit(listener).netloc for listener in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    }
    voters = kafka_env["KAFKA_CONTROLLER_QUORUM_VOTERS"]
    assert voters.split("@", 1)[1].split(":")[0] == "kafka"
    for deployed in SERVICES:
        servers = environment(compose_service(deployed.name))["KAFKA_BOOTSTRAP_SERVERS"]
        for server in servers.split(","):
            host = server.split(":")[0]
            assert host in compose()["services"], f"{deployed.name}: {server} is no service"
            assert server in advertised, f"{deployed.name}: {server} is not advertised"


# -- MongoDB -----------------------------------------------------------------------------------


def test_services_use_the_mongodb_replica_set_the_init_job_creates():
    mongodb = compose_service("mongodb")
    init = compose_service("mongodb-init")
    assert init["image"] == mongodb["image"]
    command = mongodb["command"]
    replica_set = command[command.index("--replSet") + 1]
    assert "--bind_ip_all" in command
    script = init["command"][-1]
    assert f'_id: "{replica_set}"' in script
    assert 'host: "mongodb:27017"' in script
    assert "isWritablePrimary" in script
    assert init.get("restart") == "no"
    assert init["depends_on"]["mongodb"]["condition"] == "service_healthy"

    for deployed in SERVICES:
        uri = urlsplit(environment(compose_service(deployed.name))["MONGODB_URI"])
        assert uri.scheme == "mongodb"
        assert uri.hostname == "mongodb"
        assert (uri.port or 27017) == 27017
        assert parse_qs(uri.query)["replicaSet"] == [replica_set]


# -- the services ---------------------------------------------------------------------------------


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_service_runs_its_module_on_its_settings_port(deployed: Deployed):
    service = compose_service(deployed.name)
    assert service["command"] == ["python", "-m", deployed.module]
    assert importlib.util.find_spec(deployed.module) is not None
    assert importlib.util.find_spec(f"{deployed.module}.__main__") is not None
    port = default_port(deployed)
    assert published_ports(service) == [(port, port)]
    env = environment(service)
    prefix = prefix_of(deployed.settings_type())
    assert env[f"{prefix}HOST"] == "0.0.0.0"
    assert env.get(f"{prefix}PORT", str(port)) == str(port)
    check = " ".join(service["healthcheck"]["test"])
    assert f"http://127.0.0.1:{port}/readyz" in check


@pytest.mark.parametrize("deployed", ALL_DEPLOYED, ids=lambda d: d.name)
def test_every_variable_set_is_one_the_settings_read(deployed: Deployed):
    accepted = accepted_env_names(deployed.settings_type())
    unknown = sorted(
        name for name in environment(compose_service(deployed.name)) if name.upper() not in accepted
    )
    assert not unknown, f"{deployed.name} never reads {unknown}"


@pytest.mark.parametrize("deployed", ALL_DEPLOYED, ids=lambda d: d.name)
def test_accepted_names_are_what_pydantic_settings_reads(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
):
    """The names the check above trusts really set the fields; a near miss sets nothing."""
    settings_type = deployed.settings_type()
    checked = 0
    for name, field_name in accepted_env_names(settings_type).items():
        probe = PROBES.get(settings_type.model_fields[field_name].annotation)
        if probe is None:
            continue
        settings = settings_from(deployed, {name: probe[0]}, monkeypatch)
        assert getattr(settings, field_name) == probe[1], name
        checked += 1
    assert checked >= 3

    port_name = f"{prefix_of(settings_type)}PORT"
    misspelt = settings_from(deployed, {port_name.replace("PORT", "PROT"): "4242"}, monkeypatch)
    assert misspelt.port == default_port(deployed)


def test_instance_ids_are_unique():
    ids = [environment(compose_service(d.name))["INSTANCE_ID"] for d in (*SERVICES, GATEWAY_SENDER)]
    assert len(set(ids)) == len(ids)


def test_the_gateway_runs_as_its_webhook_and_its_sender_role(monkeypatch: pytest.MonkeyPatch):
    """As the devstack and Kubernetes do: LINE's URL on a process that only records events."""
    webhook_env = resolved_environment("line_gateway", PRODUCTION_ENV)
    sender_env = resolved_environment(GATEWAY_SENDER.name, PRODUCTION_ENV)
    webhook = settings_from(SERVICES[0], webhook_env, monkeypatch)
    sender = settings_from(GATEWAY_SENDER, sender_env, monkeypatch)
    assert (webhook.role, sender.role) == ("webhook", "sender")
    assert sender.environment == "production"
    # The same channel, database and secrets; only the id, the role and the port differ.
    differing = {
        k for k in webhook_env.keys() | sender_env.keys() if webhook_env.get(k) != sender_env.get(k)
    }
    assert differing == {"INSTANCE_ID", "LINE_GATEWAY_ROLE", "LINE_GATEWAY_PORT"}
    service = compose_service(GATEWAY_SENDER.name)
    assert service["command"] == ["python", "-m", "services.line_gateway"]
    assert published_ports(service) == []  # LINE reaches only the webhook role
    check = " ".join(service["healthcheck"]["test"])
    assert f"http://127.0.0.1:{sender.port}/readyz" in check
    assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert service["restart"] == "unless-stopped"
    assert service["stop_grace_period"] == "30s"


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_services_wait_for_healthy_kafka_and_an_initiated_replica_set(deployed: Deployed):
    service = compose_service(deployed.name)
    assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert service["depends_on"]["mongodb-init"]["condition"] == "service_completed_successfully"
    assert service["restart"] == "unless-stopped"
    assert service["stop_grace_period"] == "30s"
    assert service["build"] == "."
    assert "profiles" not in service


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_production_environment_builds_valid_production_settings(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
):
    env = resolved_environment(deployed.name, PRODUCTION_ENV)
    settings = settings_from(deployed, env, monkeypatch)
    assert settings.environment == "production"
    assert settings.host == "0.0.0.0"
    assert settings.port == default_port(deployed)
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.instance_id == env["INSTANCE_ID"]
    if deployed.name == "line_gateway":
        assert settings.channel_secret == PRODUCTION_ENV["LINE_CHANNEL_SECRET"]
        assert settings.api_base_url == "https://api.line.me"
    if deployed.name == "ai_chat":
        assert not settings.openai_api_key  # optional: the offline responder answers
        assert settings.openai_base_url == "https://api.openai.com/v1"


@pytest.mark.parametrize(
    "secret",
    [
        "LINE_CHANNEL_SECRET",
        "LINE_CHANNEL_ACCESS_TOKEN",
        "GRAFANA_ADMIN_PASSWORD",
        "HELPDESK_SESSION_SECRET",
        "TABLET_LENDING_TOKEN_SECRET",
        "PREFERRED_NAME_SECRET",
    ],
)
def test_compose_refuses_to_start_without_a_secret(secret: str):
    env = {**PRODUCTION_ENV, secret: ""}
    with pytest.raises(MissingVariableError, match=secret):
        interpolated(compose(), env)
    with pytest.raises(MissingVariableError, match=secret):
        interpolated(compose(), {k: v for k, v in env.items() if k != secret})


def test_no_secret_value_is_written_into_the_file():
    for deployed in (*SERVICES, *SIMULATORS):
        for name, value in environment(compose_service(deployed.name)).items():
            if any(word in name for word in ("SECRET", "TOKEN", "KEY", "PASSWORD")):
                assert value.startswith("${"), name
                assert value.endswith("}"), name
    grafana = environment(compose_service("grafana"))
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_placeholder_secrets_are_refused_unless_the_environment_is_overridden(
    monkeypatch: pytest.MonkeyPatch,
):
    """SSL_ENVIRONMENT defaults to production, whose settings refuse the dev- placeholders."""
    gateway = SERVICES[0]
    assert gateway.name == "line_gateway"
    dev_secrets = {
        **PRODUCTION_ENV,
        "LINE_CHANNEL_SECRET": "dev-channel-secret",
        "LINE_CHANNEL_ACCESS_TOKEN": "dev-channel-access-token",
    }
    with pytest.raises(ValidationError, match="LINE_CHANNEL_SECRET"):
        settings_from(gateway, resolved_environment(gateway.name, dev_secrets), monkeypatch)
    dev = {
        **dev_secrets,
        "SSL_ENVIRONMENT": "development",
        "LINE_API_BASE_URL": "http://line_simulator:8100",
    }
    settings = settings_from(gateway, resolved_environment(gateway.name, dev), monkeypatch)
    assert settings.environment == "development"
    assert settings.api_base_url == "http://line_simulator:8100"


# -- the dev profile ------------------------------------------------------------------------------


@pytest.mark.parametrize("deployed", SIMULATORS, ids=lambda d: d.name)
def test_simulators_run_only_in_the_dev_profile(deployed: Deployed):
    service = compose_service(deployed.name)
    assert service["profiles"] == ["dev"]
    assert service["command"] == ["python", "-m", deployed.module]
    assert importlib.util.find_spec(f"{deployed.module}.__main__") is not None
    port = default_port(deployed)
    assert published_ports(service) == [(port, port)]
    env = environment(service)
    assert env[f"{prefix_of(deployed.settings_type())}HOST"] == "0.0.0.0"
    for name, other in compose()["services"].items():
        if "dev" not in (other.get("profiles") or []):
            assert deployed.name not in (other.get("depends_on") or {}), name


def test_dev_profile_wires_the_simulators_to_the_services(monkeypatch: pytest.MonkeyPatch):
    simulator_env = environment(compose_service("line_simulator"))
    webhook = urlsplit(simulator_env["LINE_SIMULATOR_WEBHOOK_URL"])
    gateway_port = default_port(SERVICES[0])
    assert (webhook.hostname, webhook.port, webhook.path) == (
        "line_gateway",
        gateway_port,
        "/callback",
    )
    # The documented dev command points the gateway and ai_chat at the simulators.
    header = COMPOSE_FILE.read_text(encoding="utf-8").split("\nname:", 1)[0]
    simulator_port = default_port(SIMULATORS[0])
    openai_port = default_port(SIMULATORS[1])
    assert "--profile dev" in header
    assert f"LINE_API_BASE_URL=http://line_simulator:{simulator_port}" in header
    assert f"OPENAI_BASE_URL=http://openai_server:{openai_port}/v1" in header
    assert "SSL_ENVIRONMENT=development" in header


def test_interpolation_follows_compose_rules():
    env = {"SET": "value", "EMPTY": ""}
    assert interpolate("${SET:-x} ${EMPTY:-x} ${UNSET:-x} ${EMPTY-x} $$SET $SET", env) == (
        "value x x  $SET value"
    )
    with pytest.raises(MissingVariableError, match="EMPTY: needed"):
        interpolate("${EMPTY:?needed}", env)
    assert interpolate("${EMPTY?needed}", env) == ""


# -- images ------------------------------------------------------------------------------------


def test_every_image_is_pinned_and_ours_is_built_once_tagged():
    ours = set()
    for name, service in compose()["services"].items():
        image = service.get("image")
        assert image, f"{name} has no image"
        _, tag = image_tag(image)
        assert tag not in ("", "latest"), f"{name}: {image} is not pinned"
        if "build" in service:
            ours.add(image)
    assert ours == {"osaka-smart-senior-life:local"}
