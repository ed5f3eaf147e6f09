"""Prometheus scrapes exactly the four services with the project's rules, and the rules and
Grafana's dashboards ask only for metrics the code exports (or the rules record).

Metric names come from the code itself (every Counter, Gauge, Histogram and Summary declared in a
services/**/metrics.py), with the suffixes Prometheus sees: counters as <name>_total, histograms
as <name>_bucket, <name>_sum and <name>_count.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.deploy.support import (
    GRAFANA_DIR,
    PROMETHEUS_CONFIG,
    PROMETHEUS_RULES_DIR,
    ROOT,
    SERVICES,
    compose,
    compose_service,
    environment,
    load_yaml,
    rules,
    volume_mounts,
)
from tools.devstack.infra import render_prometheus_config
from tools.devstack.stack import DEFAULT_PORTS, GATEWAY_SENDER
from tools.grafana_dashboards import DASHBOARDS, render

# Series Prometheus itself records for every target.
PROMETHEUS_SERIES = frozenset({"up"})

_DECLARATION = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"")
_PROMQL_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless"}
    | {"bool", "offset", "inf", "nan", "atan2"}
)


def exported_series(kind: str, name: str) -> set[str]:
    """The series names prometheus_client exposes for one metric."""
    if kind == "Counter":
        base = name.removesuffix("_total")
        return {f"{base}_total", f"{base}_created"}
    if kind == "Histogram":
        return {f"{name}_bucket", f"{name}_sum", f"{name}_count", f"{name}_created"}
    if kind == "Summary":
        return {name, f"{name}_sum", f"{name}_count", f"{name}_created"}
    return {name}


@cache
def code_series() -> frozenset[str]:
    series: set[str] = set()
    for path in sorted((ROOT / "services").rglob("metrics.py")):
        for kind, name in _DECLARATION.findall(path.read_text(encoding="utf-8")):
            series |= exported_series(kind, name)
    return frozenset(series)


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not functions, labels or keywords)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)  # string literals
    expr = re.sub(r"\{[^}]*\}", " ", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", " ", expr)  # range and subquery durations
    # Grouping label lists; `sum by (job) (...)` must leave `sum` directly before its "(".
    expr = re.sub(r"\b(by|without)\s*\([^)]*\)", "", expr)
    expr = re.sub(r"\b(on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    expr = re.sub(r"\$\{?\w+\}?", " ", expr)  # Grafana variables
    names = set()
    for match in re.finditer(r"(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", expr):
        if match[1] not in _PROMQL_KEYWORDS:
            names.add(match[1])
    return names


def dashboards() -> list[Path]:
    return sorted((GRAFANA_DIR / "dashboards").glob("*.json"))


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard.get("panels", []):
        found.append(panel)
        found.extend(panel.get("panels", []))  # panels inside collapsed rows
    return found


def test_metric_names_are_read_from_the_code():
    series = code_series()
    for name in (
        "sslp_http_requests_total",
        "sslp_events_consumed_total",
        "sslp_dead_letters_total",
        "sslp_outbox_backlog",
        "sslp_line_webhook_events_total",
        "sslp_line_sends_total",
        "sslp_ai_replies_total",
        "sslp_http_request_seconds_bucket",
    ):
        assert name in series
    assert "sslp_outbox_backlog_total" not in series  # a gauge has no _total


def test_promql_parsing_finds_metrics_and_nothing_else():
    expr = (
        'sum by (job, outcome) (rate(sslp_events_consumed_total{topic=~"line.*"}[$__rate_interval]))'
        " / on (job) group_left max(sslp_outbox_backlog offset 5m) > bool 0"
        " or histogram_quantile(0.9, sum by (le) (rate(sslp_http_request_seconds_bucket[5m])))"
    )
    assert metric_names(expr) == {
        "sslp_events_consumed_total",
        "sslp_outbox_backlog",
        "sslp_http_request_seconds_bucket",
    }
    assert metric_names('up{job="ai_chat"} == 0') == {"up"}
    assert metric_names("rate(sslp_made_up_total[5m])") - code_series() == {"sslp_made_up_total"}


# -- Prometheus -----------------------------------------------------------------------------------


def service_ports() -> dict[str, int]:
    return {d.name: d.settings_type().model_fields["port"].default for d in SERVICES}


def local_ports() -> dict[str, int]:
    """The local stack's: the services' default ports, and the gateway's sender role's."""
    return {**service_ports(), GATEWAY_SENDER: DEFAULT_PORTS[GATEWAY_SENDER]}


def render_local_template() -> str:
    """The local stack's config as tools/devstack writes it, with the default ports."""
    return render_prometheus_config(local_ports(), scrape_interval="5s")


def recorded_series() -> frozenset[str]:
    return frozenset(rule["record"] for rule in rules() if "record" in rule)


def scrape_targets(config: dict[str, Any]) -> dict[str, list[str]]:
    targets: dict[str, list[str]] = {}
    for job in config["scrape_configs"]:
        assert job.get("metrics_path", "/metrics") == "/metrics"
        assert job.get("scheme", "http") == "http"
        targets[job["job_name"]] = [
            target for static in job["static_configs"] for target in static["targets"]
        ]
    return targets


def test_prometheus_scrapes_exactly_the_four_services_on_their_ports():
    expected = {name: [f"{name}:{port}"] for name, port in service_ports().items()}
    # One job, both processes of the gateway (docker-compose.yml runs its two roles).
    expected["line_gateway"].append(f"{GATEWAY_SENDER}:{DEFAULT_PORTS[GATEWAY_SENDER]}")
    assert scrape_targets(load_yaml(PROMETHEUS_CONFIG)) == expected
    for name, targets in expected.items():
        for target in targets:
            assert target.split(":")[0] in compose()["services"], name


def test_local_prometheus_template_scrapes_the_same_jobs_on_loopback():
    targets = scrape_targets(yaml.safe_load(render_local_template()))
    expected = {name: [f"127.0.0.1:{port}"] for name, port in service_ports().items()}
    # One job, both processes of the gateway (its webhook and sender roles).
    expected["line_gateway"].append(f"127.0.0.1:{local_ports()[GATEWAY_SENDER]}")
    assert targets == expected
    assert set(targets) == set(scrape_targets(load_yaml(PROMETHEUS_CONFIG)))


def test_compose_runs_prometheus_with_this_config_and_the_rules():
    prometheus = compose_service("prometheus")
    config_flag = next(arg for arg in prometheus["command"] if arg.startswith("--config.file="))
    config_path = config_flag.split("=", 1)[1]
    mounts = volume_mounts(prometheus)
    assert (ROOT / mounts[config_path]).resolve() == PROMETHEUS_CONFIG
    (rule_glob,) = load_yaml(PROMETHEUS_CONFIG)["rule_files"]
    rules_target = str(Path(rule_glob).parent)
    assert (ROOT / mounts[rules_target]).resolve() == PROMETHEUS_RULES_DIR


def test_the_local_config_loads_the_same_rules():
    (rule_glob,) = yaml.safe_load(render_local_template())["rule_files"]
    assert sorted(Path(rule_glob).parent.glob(Path(rule_glob).name)) == sorted(
        PROMETHEUS_RULES_DIR.glob("*.yml")
    )


def test_rules_read_only_metrics_the_code_exports_or_the_rules_record():
    known = code_series() | PROMETHEUS_SERIES | recorded_series()
    for rule in rules():
        names = metric_names(rule["expr"])
        assert names, rule
        assert names <= known, f"{rule.get('record') or rule['alert']}: {sorted(names - known)}"


def test_the_alerts_the_programme_asked_for_exist():
    alerts = {rule["alert"]: rule for rule in rules() if "alert" in rule}
    for name in (
        "SslpUrgentTicketUnclaimed",
        "SslpHelpdeskSlaBreached",
        "SslpConsumerLagGrowing",
        "SslpDeadLetters",
        "SslpLinePushBudget80",
        "SslpLinePushBudget95",
        "SslpModelErrors",
    ):
        assert name in alerts, name
        assert alerts[name]["labels"]["severity"] in ("page", "ticket")
    assert "300" in alerts["SslpUrgentTicketUnclaimed"]["expr"]  # five minutes


def test_promtool_accepts_the_rules():
    if shutil.which("promtool") is None:
        pytest.skip("promtool (Debian package prometheus) is not installed")
    files = sorted(str(path) for path in PROMETHEUS_RULES_DIR.glob("*.yml"))
    assert files
    result = subprocess.run(
        ["promtool", "check", "rules", *files],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_both_configs(tmp_path: Path):
    if shutil.which("promtool") is None:
        pytest.skip("promtool (Debian package prometheus) is not installed")
    local = tmp_path / "prometheus.local.yml"
    local.write_text(render_local_template(), encoding="utf-8")
    for config in (PROMETHEUS_CONFIG, local):
        result = subprocess.run(
            ["promtool", "check", "config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


# -- Grafana ------------------------------------------------------------------------------------


def test_grafana_is_provisioned_from_deploy_grafana():
    grafana = compose_service("grafana")
    mounts = volume_mounts(grafana)
    assert mounts["/etc/grafana/provisioning"] == "./deploy/grafana/provisioning"
    dashboards_target = next(
        target for target, source in mounts.items() if source == "./deploy/grafana/dashboards"
    )
    provider_files = sorted((GRAFANA_DIR / "provisioning" / "dashboards").glob("*.yml"))
    assert provider_files
    providers = [p for f in provider_files for p in load_yaml(f)["providers"]]
    assert [p["options"]["path"] for p in providers] == [dashboards_target]
    assert all(p["type"] == "file" for p in providers)


def test_grafana_datasource_is_the_compose_prometheus():
    files = sorted((GRAFANA_DIR / "provisioning" / "datasources").glob("*.yml"))
    sources = [s for f in files for s in load_yaml(f)["datasources"]]
    assert [s["type"] for s in sources] == ["prometheus"]
    url = urlsplit(sources[0]["url"])
    assert url.hostname in compose()["services"]
    assert compose_service(str(url.hostname))["image"].startswith("prom/prometheus:")
    assert url.port == 9090


def test_grafana_requires_a_login():
    env = environment(compose_service("grafana"))
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert env["GF_USERS_ALLOW_SIGN_UP"] == "false"
    assert env["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_the_five_dashboards_are_generated_and_up_to_date():
    assert (
        {path.name for path in dashboards()}
        == {d.filename for d in DASHBOARDS}
        == {
            "programme-overview.json",
            "line.json",
            "daichan.json",
            "helpdesk.json",
            "platform-health.json",
        }
    )
    for dashboard in DASHBOARDS:
        on_disk = (GRAFANA_DIR / "dashboards" / dashboard.filename).read_text(encoding="utf-8")
        assert on_disk == render(dashboard), "run python -m tools.grafana_dashboards"


def test_per_cohort_figures_follow_the_cohort_selector():
    overview = json.loads((GRAFANA_DIR / "dashboards" / "programme-overview.json").read_text())
    (variable,) = overview["templating"]["list"]
    assert variable["name"] == "cohort"
    assert variable["includeAll"]
    assert "sslp_lending_participants" in variable["definition"]
    for path in dashboards():
        for panel in panels(json.loads(path.read_text(encoding="utf-8"))):
            for target in panel.get("targets", []):
                if "sslp_lending_" in target["expr"]:
                    assert 'cohort=~"$cohort"' in target["expr"], (path.name, panel["title"])


@pytest.mark.parametrize("path", dashboards(), ids=lambda p: p.name)
def test_dashboard_queries_only_metrics_the_code_exports(path: Path):
    dashboard = json.loads(path.read_text(encoding="utf-8"))
    datasource_uids = {
        source["uid"]
        for f in (GRAFANA_DIR / "provisioning" / "datasources").glob("*.yml")
        for source in load_yaml(f)["datasources"]
    }
    assert dashboard["uid"]
    known = code_series() | PROMETHEUS_SERIES | recorded_series()
    queried = set()
    for panel in panels(dashboard):
        if panel.get("type") == "row":
            continue
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", panel["title"]), (
            f"panel title {panel['title']!r} is not Japanese"
        )
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] in datasource_uids, panel["title"]
            names = metric_names(target["expr"])
            assert names, target["expr"]
            assert names <= known, f"{panel['title']}: unknown {sorted(names - known)}"
            queried |= names
    assert any(name.startswith("sslp_") for name in queried)
