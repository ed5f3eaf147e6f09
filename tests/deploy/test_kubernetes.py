"""deploy/kubernetes renders, passes the resource schemas, and agrees with the code it deploys.

Rendered with the real kustomize; built-in kinds checked by kubernetes-validate, the operators'
resources by their CRDs' schemas (tests/deploy/kubernetes_support.py says how). Then the same
settings-against-code checks tests/deploy/test_compose.py makes for compose: every variable set
is one a service reads, production settings build from what the manifests give, topics and
consumer groups are the code's, probes and routes are real paths. What this cannot check (an API
server's admission, the operators' reconciliation, a pod really starting) is listed in
deploy/kubernetes/README.md.
"""

from __future__ import annotations

import copy
import importlib
import os
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from services.common.kafka.topics import ALL_TOPICS, DLQ_SUFFIX, topic_names
from services.common.settings import ServiceSettings
from tests.deploy.kubernetes_support import (
    OVERLAYS,
    README,
    Object,
    containers,
    crd_errors,
    crd_schemas,
    is_builtin,
    kafka_scaler_keys,
    matches,
    named,
    namespace_of,
    of_kind,
    overlay,
    render,
    validate_builtin,
)
from tests.deploy.support import (
    GRAFANA_DIR,
    PROMETHEUS_RULES_DIR,
    SERVICES,
    Deployed,
    accepted_env_names,
    compose_service,
    image_tag,
    kafka_version_in_pom,
    load_yaml,
    prefix_of,
)

pytestmark = pytest.mark.parametrize("env", OVERLAYS)
DAY_MS = 24 * 3600 * 1000
IMAGE = "osaka-smart-senior-life"
OPTIONAL_SECRETS = frozenset({"OPENAI_API_KEY"})


def kube_name(deployed: Deployed) -> str:
    return deployed.name.replace("_", "-")


def deployment(env: str, deployed: Deployed) -> Object:
    return named(overlay(env), "Deployment", kube_name(deployed))


def consumer_workload(deployed: Deployed) -> str:
    """The Deployment that runs a service's consumers: line_gateway's are its sender role's."""
    return "line-gateway-sender" if deployed.name == "line_gateway" else kube_name(deployed)


def platform_config(env: str) -> dict[str, str]:
    data: dict[str, str] = named(overlay(env), "ConfigMap", "sslp-platform")["data"]
    return data


def secret_value(name: str, key: str) -> str:
    """What a Secret created by the operators of the platform would hold (test values, long
    enough for the production checks)."""
    return f"test-{name}-{key}-0123456789abcdef0123456789abcdef"


def container_environment(env: str, container: Object, pod_name: str) -> dict[str, str]:
    """The variables a container starts with, from its ConfigMaps, Secrets and the downward API."""
    resolved: dict[str, str] = {}
    for source in container.get("envFrom", []):
        config = source["configMapRef"]["name"]
        (config_map,) = [
            c for c in of_kind(overlay(env), "ConfigMap") if c["metadata"]["name"] == config
        ]
        resolved.update(config_map["data"])
    for entry in container.get("env", []):
        if "value" in entry:
            resolved[entry["name"]] = entry["value"]
            continue
        source = entry["valueFrom"]
        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            resolved[entry["name"]] = secret_value(ref["name"], ref["key"])
        else:
            assert source["fieldRef"]["fieldPath"] == "metadata.name", entry
            resolved[entry["name"]] = pod_name
    return resolved


def settings_from(
    deployed: Deployed, environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Any:
    settings_type = deployed.settings_type()
    for name in list(os.environ):
        if name.upper() in accepted_env_names(settings_type) or name.upper().startswith(
            prefix_of(settings_type)
        ):
            monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return settings_type()


# -- rendering and schemas -------------------------------------------------------------------


def test_overlay_renders_into_its_own_namespace(env: str):
    objects = overlay(env)
    namespace = namespace_of(objects)
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == namespace, obj["metadata"]["name"]
    keys = [(obj["kind"], obj["metadata"]["name"]) for obj in objects]
    assert len(keys) == len(set(keys))
    assert render("base")  # the base renders on its own too


def test_built_in_kinds_pass_the_kubernetes_schemas(env: str):
    checked = 0
    for obj in overlay(env):
        if is_builtin(obj):
            validate_builtin(obj)
            checked += 1
    assert checked >= 40


def test_custom_resources_pass_their_operators_crd_schemas(env: str):
    custom = [obj for obj in overlay(env) if not is_builtin(obj)]
    kinds = {(obj["apiVersion"], obj["kind"]) for obj in custom}
    assert kinds == {
        ("kafka.strimzi.io/v1beta2", "Kafka"),
        ("kafka.strimzi.io/v1beta2", "KafkaNodePool"),
        ("kafka.strimzi.io/v1beta2", "KafkaTopic"),
        ("mongodbcommunity.mongodb.com/v1", "MongoDBCommunity"),
        ("keda.sh/v1alpha1", "ScaledObject"),
    }
    assert kinds <= set(crd_schemas()), "every custom kind has a schema"
    for obj in custom:
        assert not crd_errors(obj), (obj["kind"], obj["metadata"]["name"], crd_errors(obj))


def test_the_schema_checks_refuse_a_misspelt_field(env: str):
    """Both checks are real: a typo the API server would refuse (built-in) or prune (custom)."""
    gateway = copy.deepcopy(named(overlay(env), "Deployment", "line-gateway"))
    gateway["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {}}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_builtin(gateway)
    topic = copy.deepcopy(named(overlay(env), "KafkaTopic", "line.inbound"))
    topic["spec"]["partitons"] = 12
    assert any("partitons" in error for error in crd_errors(topic))
    pool = copy.deepcopy(named(overlay(env), "KafkaNodePool", "brokers"))
    pool["spec"]["roles"] = ["broker", "zookeeper"]
    assert crd_errors(pool)


def test_no_secret_value_is_in_the_manifests(env: str):
    objects = overlay(env)
    assert not of_kind(objects, "Secret")
    for workload in [*of_kind(objects, "Deployment"), *of_kind(objects, "StatefulSet")]:
        for container in containers(workload):
            for entry in container.get("env", []):
                if re.search(r"SECRET|TOKEN|KEY|PASSWORD|MONGODB_URI", entry["name"]):
                    assert "secretKeyRef" in entry.get("valueFrom", {}), entry["name"]


def test_every_secret_referenced_is_documented(env: str):
    text = README.read_text(encoding="utf-8")
    objects = overlay(env)
    names = set()
    for workload in [*of_kind(objects, "Deployment"), *of_kind(objects, "StatefulSet")]:
        for container in containers(workload):
            for entry in container.get("env", []):
                ref = entry.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    names.add((ref["name"], ref["key"]))
    for user in named(objects, "MongoDBCommunity", "sslp-mongodb")["spec"]["users"]:
        names.add(
            (user["passwordSecretRef"]["name"], user["passwordSecretRef"].get("key", "password"))
        )
    assert len(names) >= 12
    for name, key in names:
        assert f"`{name}`" in text, f"{name} not in {README.name}"
        assert f"`{key}`" in text, f"{key} of {name} not in {README.name}"


# -- Kafka ---------------------------------------------------------------------------------------


def test_kafka_is_replicated_and_on_the_tested_version(env: str):
    objects = overlay(env)
    kafka = named(objects, "Kafka", "sslp-kafka")
    annotations = kafka["metadata"]["annotations"]
    assert annotations["strimzi.io/kraft"] == "enabled"
    assert annotations["strimzi.io/node-pools"] == "enabled"
    major_minor = ".".join(kafka_version_in_pom().split(".")[:2])
    assert kafka["spec"]["kafka"]["version"].startswith(major_minor + ".")
    assert kafka["spec"]["kafka"]["metadataVersion"].startswith(major_minor + "-")
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["offsets.topic.replication.factor"] == 3
    assert config["transaction.state.log.replication.factor"] == 3
    assert config["transaction.state.log.min.isr"] == 2
    assert config["auto.create.topics.enable"] is False
    pools = {pool["metadata"]["name"]: pool for pool in of_kind(objects, "KafkaNodePool")}
    assert {tuple(p["spec"]["roles"]) for p in pools.values()} == {("controller",), ("broker",)}
    for pool in pools.values():
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == "sslp-kafka"
        assert pool["spec"]["replicas"] >= 3


def test_topics_are_the_codes_with_the_partitions_the_services_would_create(env: str):
    objects = overlay(env)
    topics = {t["spec"]["topicName"]: t for t in of_kind(objects, "KafkaTopic")}
    assert sorted(topics) == sorted(topic_names(ALL_TOPICS))
    platform = platform_config(env)
    processed_ms = ServiceSettings.model_fields["processed_event_retention_days"].default * DAY_MS
    for name, topic in topics.items():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "sslp-kafka"
        assert topic["spec"]["partitions"] == int(platform["KAFKA_TOPIC_PARTITIONS"]), name
        assert topic["spec"]["replicas"] == int(platform["KAFKA_REPLICATION_FACTOR"]), name
        config = topic["spec"]["config"]
        assert config["min.insync.replicas"] == 2
        # A retained record is always one the consumers still recognise as processed.
        assert config["retention.ms"] <= processed_ms, name
        # Dead letters as the services create them.
        expected_days = 30 if name.endswith(DLQ_SUFFIX) else 7
        assert config["retention.ms"] == expected_days * DAY_MS, name


# -- MongoDB -----------------------------------------------------------------------------------


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_each_service_reads_mongodb_as_its_own_user_on_its_own_database(
    env: str, deployed: Deployed
):
    mongodb = named(overlay(env), "MongoDBCommunity", "sslp-mongodb")
    spec = mongodb["spec"]
    assert spec["members"] == 3
    assert spec["type"] == "ReplicaSet"
    _, compose_tag = image_tag(compose_service("mongodb")["image"])
    assert spec["version"].startswith(compose_tag + ".")
    (user,) = [u for u in spec["users"] if u["name"] == kube_name(deployed)]
    database = deployed.settings_type().model_fields["mongodb_database"].default
    assert user["roles"] == [{"name": "readWrite", "db": database}]
    (container,) = containers(deployment(env, deployed))
    (uri,) = [e for e in container["env"] if e["name"] == "MONGODB_URI"]
    assert uri["valueFrom"]["secretKeyRef"] == {
        "name": user["connectionStringSecretName"],
        "key": "connectionString.standard",
    }


# -- the services --------------------------------------------------------------------------------


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_service_runs_its_module_from_our_image_on_its_port(env: str, deployed: Deployed):
    workload = deployment(env, deployed)
    (container,) = containers(workload)
    assert container["command"] == ["python", "-m", deployed.module]
    assert importlib.util.find_spec(f"{deployed.module}.__main__") is not None
    name, tag = image_tag(container["image"])
    assert name.rsplit("/", 1)[-1] == IMAGE
    assert tag not in ("", "latest", "local")
    port = deployed.settings_type().model_fields["port"].default
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    environ = container_environment(env, container, "pod")
    prefix = prefix_of(deployed.settings_type())
    assert environ[f"{prefix}HOST"] == "0.0.0.0"
    assert environ[f"{prefix}PORT"] == str(port)
    annotations = workload["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(port)
    assert annotations["prometheus.io/path"] == "/metrics"


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_probes_point_at_the_apps_health_paths(env: str, deployed: Deployed):
    app = importlib.import_module(f"{deployed.module}.app").create_app()
    paths = set(app.openapi()["paths"])
    (container,) = containers(deployment(env, deployed))
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert {"/healthz", "/readyz", "/metrics"} <= paths


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_every_variable_set_is_one_the_settings_read(env: str, deployed: Deployed):
    (container,) = containers(deployment(env, deployed))
    accepted = accepted_env_names(deployed.settings_type())
    unknown = sorted(
        name
        for name in container_environment(env, container, "pod")
        if name.upper() not in accepted
    )
    assert not unknown, f"{deployed.name} never reads {unknown}"


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_manifest_builds_valid_production_settings(
    env: str, deployed: Deployed, monkeypatch: pytest.MonkeyPatch
):
    """Every setting without a variable keeps its default, and production refuses unsafe ones
    (placeholder or short secrets, demo accounts), so building them is the check."""
    (container,) = containers(deployment(env, deployed))
    pod = f"{kube_name(deployed)}-5d8c7b9f4-x2k8q"
    settings = settings_from(deployed, container_environment(env, container, pod), monkeypatch)
    assert settings.environment == "production"
    assert settings.instance_id == pod
    assert settings.kafka_replication_factor == 3
    servers = settings.kafka_bootstrap_servers.split(",")
    kafka = named(overlay(env), "Kafka", "sslp-kafka")
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    for server in servers:
        host, port = server.rsplit(":", 1)
        assert host == f"sslp-kafka-kafka-bootstrap.{namespace_of(overlay(env))}.svc"
        assert int(port) == listener["port"]
    for secret in settings.secrets_to_check():
        (entry,) = [e for e in container["env"] if e["name"] == secret]
        # A model key is optional by design (the offline responder answers without one).
        optional = secret in OPTIONAL_SECRETS
        assert entry["valueFrom"]["secretKeyRef"].get("optional", False) is optional, secret
    if deployed.name == "line_gateway":
        assert settings.api_base_url == "https://api.line.me"
    if deployed.name == "ai_chat":
        assert settings.openai_base_url == "https://api.openai.com/v1"


@pytest.mark.parametrize(
    ("variable", "service", "key"),
    [
        ("HELPDESK_LENDING_URL", "tablet-lending", "LENDING_CONTACT_SECRET"),
        ("HELPDESK_AI_CHAT_URL", "ai-chat", "PREFERRED_NAME_SECRET"),
    ],
)
def test_the_helpdesk_reaches_each_owner_it_reads_for_staff_with_their_shared_key(
    env: str, variable: str, service: str, key: str
):
    """The helpdesk's URL names the owner's Service and port, a NetworkPolicy lets the
    helpdesk's pods (and no one else's) in on that port, and both hold the same Secret."""
    objects = overlay(env)
    (helpdesk,) = containers(named(objects, "Deployment", "helpdesk"))
    url = urlsplit({e["name"]: e.get("value") for e in helpdesk["env"]}[variable])
    target = named(objects, "Service", service)
    assert url.hostname == service
    assert url.port in [p["port"] for p in target["spec"]["ports"]]
    admitting = [
        rule
        for policy in of_kind(objects, "NetworkPolicy")
        if "matchLabels" in policy["spec"]["podSelector"]
        and matches(policy["spec"]["podSelector"]["matchLabels"], target["spec"]["selector"])
        for rule in policy["spec"].get("ingress", [])
        if any(
            peer.get("podSelector") == {"matchLabels": {"app.kubernetes.io/name": "helpdesk"}}
            for peer in rule.get("from", [])
        )
    ]
    assert any({"port": url.port, "protocol": "TCP"} in rule["ports"] for rule in admitting)
    (owner,) = containers(named(objects, "Deployment", service))
    refs = [
        [e["valueFrom"]["secretKeyRef"] for e in c["env"] if e["name"] == key]
        for c in (helpdesk, owner)
    ]
    assert len(refs[0]) == 1, refs
    assert refs[0] == refs[1], refs


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_pods_run_as_the_image_user_with_a_read_only_root_and_writable_tmp(
    env: str, deployed: Deployed
):
    pod = deployment(env, deployed)["spec"]["template"]["spec"]
    dockerfile = Path(__file__).resolve().parents[2].joinpath("Dockerfile").read_text()
    assert f"--uid {pod['securityContext']['runAsUser']} " in dockerfile
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
    assert "emptyDir" in mounts["/tmp"]  # faust's data folder is under tempfile.gettempdir()
    # The platform's shutdown fits in the grace period: preStop, then uvicorn's graceful timeout
    # (services/common/serve.py: shutdown_grace_seconds + 5).
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    grace = deployed.settings_type().model_fields["shutdown_grace_seconds"].default
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + grace + 5 + 10


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_instance_id_is_the_pod_name_and_selectors_match(env: str, deployed: Deployed):
    objects = overlay(env)
    workload = deployment(env, deployed)
    (container,) = containers(workload)
    (instance,) = [e for e in container["env"] if e["name"] == "INSTANCE_ID"]
    assert instance["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    labels = workload["spec"]["template"]["metadata"]["labels"]
    assert labels["sslp/service"] == deployed.name  # Prometheus's job, the rules' selector
    assert matches(workload["spec"]["selector"]["matchLabels"], labels)
    service = named(objects, "Service", kube_name(deployed))
    assert matches(service["spec"]["selector"], labels)
    budget = named(objects, "PodDisruptionBudget", kube_name(deployed))
    assert matches(budget["spec"]["selector"]["matchLabels"], labels)
    assert budget["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("deployed", SERVICES, ids=lambda d: d.name)
def test_scaling_follows_the_services_consumer_group_lag(env: str, deployed: Deployed):
    objects = overlay(env)
    consumers = consumer_workload(deployed)
    scaled = named(objects, "ScaledObject", consumers)
    assert scaled["spec"]["scaleTargetRef"] == {"name": consumers}
    partitions = int(platform_config(env)["KAFKA_TOPIC_PARTITIONS"])
    assert 1 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"] <= partitions
    group = importlib.import_module(f"{deployed.module}.app").SERVICE  # the consumer group id
    consumed = {spec.name for spec in ALL_TOPICS if deployed.name in spec.consumers}
    (container,) = containers(named(objects, "Deployment", consumers))
    environ = container_environment(env, container, "pod")
    kafka_triggers = [t for t in scaled["spec"]["triggers"] if t["type"] == "kafka"]
    assert kafka_triggers
    for trigger in kafka_triggers:
        metadata = trigger["metadata"]
        assert set(metadata) <= kafka_scaler_keys(), set(metadata) - kafka_scaler_keys()
        assert metadata["consumerGroup"] == group
        assert metadata["topic"] in consumed
        assert metadata["bootstrapServersFromEnv"] in environ
        assert metadata["offsetResetPolicy"] == "earliest"
        assert int(metadata["lagThreshold"]) > 0
    for trigger in scaled["spec"]["triggers"]:
        if trigger["type"] == "cpu":
            assert container["resources"]["requests"]["cpu"]


def test_the_gateway_runs_as_a_webhook_and_a_sender_deployment(env: str):
    objects = overlay(env)
    roles = {"line-gateway": "webhook", "line-gateway-sender": "sender"}
    labels = {}
    for name, role in roles.items():
        workload = named(objects, "Deployment", name)
        (container,) = containers(workload)
        assert container["command"] == ["python", "-m", "services.line_gateway"]
        assert container_environment(env, container, "pod")["LINE_GATEWAY_ROLE"] == role
        labels[name] = workload["spec"]["template"]["metadata"]["labels"]
        assert labels[name]["sslp/service"] == "line_gateway"  # one Prometheus job
        budget = named(objects, "PodDisruptionBudget", name)
        assert matches(budget["spec"]["selector"]["matchLabels"], labels[name])
    # The webhook's Service (LINE's door) never reaches a sender pod, nor the other way round.
    webhook_service = named(objects, "Service", "line-gateway")["spec"]["selector"]
    assert not matches(webhook_service, labels["line-gateway-sender"])
    sender_service = named(objects, "Service", "line-gateway-sender")["spec"]["selector"]
    assert not matches(sender_service, labels["line-gateway"])
    # The webhook consumes nothing, so scales on CPU alone.
    webhook_scaling = named(objects, "ScaledObject", "line-gateway")["spec"]["triggers"]
    assert [t["type"] for t in webhook_scaling] == ["cpu"]
    settings = importlib.import_module("services.line_gateway.settings")
    app = importlib.import_module("services.line_gateway.app")
    sender = app.create_app(settings.LineGatewaySettings(role="sender"))
    assert "/callback" not in sender.openapi()["paths"]


# -- what is reachable -----------------------------------------------------------------------------


def test_only_post_callback_of_line_gateway_faces_the_internet(env: str):
    objects = overlay(env)
    public = [
        i for i in of_kind(objects, "Ingress") if i["spec"]["ingressClassName"] == "nginx-public"
    ]
    (webhook,) = public
    (rule,) = webhook["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/callback", "Exact")
    assert path["backend"]["service"] == {"name": "line-gateway", "port": {"name": "http"}}
    assert rule["host"] in webhook["spec"]["tls"][0]["hosts"]
    gateway_app = importlib.import_module("services.line_gateway.app").create_app()
    assert set(gateway_app.openapi()["paths"]["/callback"]) == {"post"}
    policies = of_kind(objects, "NetworkPolicy")
    (deny,) = [p for p in policies if p["metadata"]["name"] == "default-deny-ingress"]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    from_public = [
        p
        for p in policies
        for rule in p["spec"].get("ingress", [])
        for peer in rule.get("from", [])
        if peer.get("namespaceSelector", {})
        .get("matchLabels", {})
        .get("kubernetes.io/metadata.name")
        == "ingress-public"
    ]
    (webhook_policy,) = from_public
    assert webhook_policy["spec"]["podSelector"] == {
        "matchLabels": {"app.kubernetes.io/name": "line-gateway"}
    }
    assert webhook_policy["spec"]["ingress"][0]["ports"] == [{"port": 8001, "protocol": "TCP"}]


def test_staff_ingress_routes_the_staff_apis_and_never_metrics(env: str):
    staff = named(overlay(env), "Ingress", "staff")
    assert staff["spec"]["ingressClassName"] == "nginx-staff"
    annotations = staff["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/auth-url"].startswith("https://")
    assert annotations["nginx.ingress.kubernetes.io/whitelist-source-range"]
    routed: dict[str, set[str]] = {}
    for rule in staff["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            routed.setdefault(path["backend"]["service"]["name"], set()).add(path["path"])
    internal = {"healthz", "readyz", "metrics"}
    for name in ("tablet_lending", "helpdesk"):
        app = importlib.import_module(f"services.{name}.app").create_app()
        firsts = {p.split("/")[1] for p in app.openapi()["paths"]} - internal
        assert {f"/{first}" for first in firsts} == routed[name.replace("_", "-")], name
    assert not any(
        p.startswith(("/metrics", "/healthz", "/readyz"))
        for paths in routed.values()
        for p in paths
    )


# -- monitoring ----------------------------------------------------------------------------------


def test_dashboards_and_rules_are_generated_from_the_deploy_files(env: str):
    objects = overlay(env)
    dashboards = named(objects, "ConfigMap", "grafana-dashboards")["data"]
    files = sorted((GRAFANA_DIR / "dashboards").glob("*.json"))
    assert sorted(dashboards) == [f.name for f in files]
    for file in files:
        assert dashboards[file.name] == file.read_text(encoding="utf-8")
    rules = named(objects, "ConfigMap", "prometheus-rules")["data"]
    rule_files = sorted(PROMETHEUS_RULES_DIR.glob("*.yml"))
    assert {name: rules[name] for name in rules} == {
        f.name: f.read_text(encoding="utf-8") for f in rule_files
    }
    grafana = named(objects, "Deployment", "grafana")
    (container,) = containers(grafana)
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    (provider,) = load_yaml(GRAFANA_DIR / "provisioning" / "dashboards" / "sslp.yml")["providers"]
    assert mounts["dashboards"] == provider["options"]["path"]
    datasource = load_yaml(GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml")
    url = urlsplit(datasource["datasources"][0]["url"])
    service = named(objects, "Service", url.hostname or "")
    assert service["spec"]["ports"][0]["port"] == url.port


def test_prometheus_config_passes_promtool_and_names_jobs_as_the_rules_do(env: str, tmp_path: Path):
    objects = overlay(env)
    config = yaml.safe_load(
        named(objects, "ConfigMap", "prometheus-config")["data"]["prometheus.yml"]
    )
    prometheus = named(objects, "StatefulSet", "prometheus")
    (container,) = containers(prometheus)
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    (rule_glob,) = config["rule_files"]
    assert Path(rule_glob).parent == Path(mounts["rules"])
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    for name, text in named(objects, "ConfigMap", "prometheus-rules")["data"].items():
        (rules_dir / name).write_text(text, encoding="utf-8")
    config["rule_files"] = [str(rules_dir / "*.yml")]
    # Debian's Prometheus (2.42) is built without Kubernetes discovery, so promtool checks the
    # rest of the job (relabelling included, with Prometheus's own regexp engine) on static targets.
    (job,) = config["scrape_configs"]
    assert job.pop("kubernetes_sd_configs") == [
        {"role": "pod", "namespaces": {"own_namespace": True}}
    ]
    job["static_configs"] = [{"targets": ["127.0.0.1:8001"]}]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    checked = subprocess.run(
        ["promtool", "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    to_job = [r for r in job["relabel_configs"] if r.get("target_label") == "job"]
    assert to_job == [
        {"source_labels": ["__meta_kubernetes_pod_label_sslp_service"], "target_label": "job"}
    ]


def test_every_pod_of_ours_meets_the_restricted_pod_security_standard(env: str):
    objects = overlay(env)
    (namespace,) = of_kind(objects, "Namespace")
    labels = namespace["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    workloads = [*of_kind(objects, "Deployment"), *of_kind(objects, "StatefulSet")]
    assert len(workloads) == 7  # the four services (line_gateway twice), Prometheus, Grafana
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, workload["metadata"]["name"]
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, container["name"]
            assert context["capabilities"] == {"drop": ["ALL"]}, container["name"]
            assert "privileged" not in context
        assert not any("hostPath" in volume for volume in pod.get("volumes", []))
