"""The managers' numbers, checked on a real Prometheus scraping the running test stack.

A scripted day goes through the real services: seniors chat with Dai-chan (through the
OpenAI-compatible test server, so tokens and cost are counted), one writes 「胸が痛い」 and is
escalated, staff answer and resolve with a satisfaction question, one senior blocks the account,
and a cohort gets two tablets, one of them overdue. Then every recording rule and every dashboard
panel query is evaluated through Prometheus' HTTP API, and the alert rules must have loaded.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.ai_chat.stack_support import model_env
from tests.deploy.support import rules
from tests.fixtures.line import Simulator, new_user_id
from tests.fixtures.waiting import eventually
from tests.helpdesk.support import Staff
from tests.tablet_lending.support import LendingApi, today_jst
from tools.devstack.infra import PrometheusNode
from tools.devstack.stack import GATEWAY_SENDER, SERVICES, Stack, free_port
from tools.grafana_dashboards import DASHBOARDS

# Grafana's own variables, as Grafana would fill them in for "all cohorts, last hour".
GRAFANA_VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$__range": "1h",
    "$cohort": ".*",
}


class PrometheusApi:
    def __init__(self, url: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=10.0)

    async def query(self, expr: str) -> list[dict[str, Any]]:
        response = await self.http.get("/api/v1/query", params={"query": expr})
        body = response.json()
        assert response.status_code == 200, f"{expr}: {body.get('error')}"
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    async def wait_for(self, expr: str, *, timeout: float = 60.0) -> list[dict[str, Any]]:
        """The result once it is not empty (recording rules and scrapes take a round or two)."""
        return await eventually(lambda: self.query(expr), bool, timeout=timeout, interval=1.0)

    async def value(
        self, expr: str, check: Callable[[float], bool], *, timeout: float = 60.0, **labels: str
    ) -> float:
        """The sample with these labels once it passes `check` (gauges refresh on intervals)."""

        async def matching() -> list[float]:
            return [
                float(sample["value"][1])
                for sample in await self.query(expr)
                if all(sample["metric"].get(k) == v for k, v in labels.items())
            ]

        values = await eventually(
            matching, lambda found: bool(found) and check(found[0]), timeout=timeout, interval=1.0
        )
        assert values, f"{expr} {labels}: no sample"
        assert check(values[0]), f"{expr} {labels}: {values}"
        return values[0]


@pytest.fixture(scope="module")
async def prometheus(
    stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[PrometheusApi]:
    state: Path = tmp_path_factory.mktemp("prometheus")
    node = PrometheusNode(
        state_dir=state,
        run_dir=state / "run",
        port=free_port(),
        service_ports={name: stack.config.ports[name] for name in (*SERVICES, GATEWAY_SENDER)},
        scrape_interval="1s",
        die_with_parent=True,
    )
    node.start()
    api = PrometheusApi(node.url)
    try:
        await node.wait_ready()
        yield api
    finally:
        await api.http.aclose()
        node.process.stop()


@pytest.fixture(scope="module")
async def day(stack: Stack, prometheus: PrometheusApi) -> AsyncIterator[dict[str, str]]:
    """The scripted day; yields the cohort it created."""
    await stack.restart_app("ai_chat", env=model_env(stack))
    simulator = Simulator(stack.config.url("line_simulator"))
    tanaka = await Staff.login(stack, "tanaka")
    operator = await LendingApi.signed_in(stack, "operator")
    supervisor = await LendingApi.signed_in(stack, "supervisor")
    try:
        chatty, worried, leaving = new_user_id(), new_user_id(), new_user_id()
        for user in (chatty, worried, leaving):
            await simulator.follow(user)
        await simulator.send_text(chatty, "おはよう。今日は いい天気ですね")
        await simulator.wait_for_inbox(chatty, count=2)  # greeting, then Dai-chan's answer
        await simulator.unfollow(leaving)

        # An emergency: fixed 119 guidance and an urgent ticket; staff answer and resolve it.
        await simulator.send_text(worried, "胸が痛い")
        [ticket] = await tanaka.wait_ticket_of(worried)
        assert ticket["priority"] == "urgent"
        claimed = await tanaka.post(
            f"/staff/api/tickets/{ticket['id']}/claim", {"version": ticket["version"]}
        )
        assert claimed.status_code == 200, claimed.text
        replied = await tanaka.post(
            f"/staff/api/tickets/{ticket['id']}/replies",
            {
                "version": claimed.json()["version"],
                "text": "ヘルプデスクです。救急車は 呼べましたか？",
                "client_reply_id": uuid4().hex,
            },
        )
        assert replied.status_code == 200, replied.text
        resolved = await tanaka.post(
            f"/staff/api/tickets/{ticket['id']}/resolve",
            {"version": replied.json()["version"], "ask_csat": True},
        )
        assert resolved.status_code == 200, resolved.text
        await simulator.http.post(
            f"/sim/users/{worried}/postbacks",
            json={"data": f"helpdesk:csat?ticket={ticket['id']}&score=4", "displayText": "4"},
        )
        await tanaka.wait_for(str(ticket["id"]), lambda t: t.get("csat"))

        # A cohort with two tablets out: one issued today, one issued 190 days ago (overdue).
        today = today_jst()
        cohort = await operator.cohort(
            capacity=5,
            lending_starts_on=(today - timedelta(days=200)).isoformat(),
            lending_ends_on=(today + timedelta(days=60)).isoformat(),
        )
        cohort_id = cohort["cohort_id"]
        recent, late = await operator.enrolled(cohort_id, count=2)
        await supervisor.draw(cohort_id)
        await operator.attended_explanatory(cohort_id, [recent, late])
        await operator.lend(recent)
        await operator.lend(late, issued_on=today - timedelta(days=190))
        await supervisor.run_scheduler()  # refreshes the lending gauges now

        yield {"cohort": cohort_id}
    finally:
        await supervisor.close()
        await operator.close()
        await tanaka.close()
        await simulator.close()
        await stack.restart_app("ai_chat")


def recording_rules() -> list[str]:
    return [rule["record"] for rule in rules() if "record" in rule]


def panel_queries() -> list[tuple[str, str, str]]:
    found = []
    for dashboard in DASHBOARDS:
        for panel in dashboard.panels:
            for query in panel.queries:
                expr = query.expr
                for variable, value in GRAFANA_VARIABLES.items():
                    expr = expr.replace(variable, value)
                assert "$" not in expr, f"unknown Grafana variable in {query.expr}"
                found.append((dashboard.title, panel.title, expr))
    return found


async def test_prometheus_scrapes_every_service(prometheus: PrometheusApi) -> None:
    for service in SERVICES:
        assert await prometheus.value(f'up{{job="{service}"}}', lambda v: v == 1) == 1


@pytest.mark.parametrize("record", recording_rules())
async def test_every_recording_rule_returns_data(
    day: dict[str, str], prometheus: PrometheusApi, record: str
) -> None:
    assert await prometheus.wait_for(record), f"{record} recorded nothing"


@pytest.mark.parametrize(
    ("dashboard", "panel", "expr"), panel_queries(), ids=lambda value: str(value)[:60]
)
async def test_every_dashboard_query_parses_and_returns_data(
    day: dict[str, str], prometheus: PrometheusApi, dashboard: str, panel: str, expr: str
) -> None:
    assert await prometheus.wait_for(expr), f"{dashboard} / {panel}: no data for {expr}"


async def test_the_alert_rules_are_loaded_and_healthy(prometheus: PrometheusApi) -> None:
    expected = {rule["alert"] for rule in rules() if "alert" in rule}
    response = await prometheus.http.get("/api/v1/rules", params={"type": "alert"})
    groups = response.json()["data"]["groups"]
    loaded = {rule["name"]: rule for group in groups for rule in group["rules"]}
    assert set(loaded) == expected
    await asyncio.sleep(2)  # one evaluation round
    response = await prometheus.http.get("/api/v1/rules")
    for group in response.json()["data"]["groups"]:
        for rule in group["rules"]:
            assert rule["health"] in ("ok", "unknown"), (rule["name"], rule.get("lastError"))


async def test_the_days_numbers_show_in_the_kpis(
    day: dict[str, str], prometheus: PrometheusApi
) -> None:
    def equals(expected: float) -> Callable[[float], bool]:
        return lambda value: value == expected

    def at_least(expected: float) -> Callable[[float], bool]:
        return lambda value: value >= expected

    cohort = day["cohort"]
    loans = "cohort_state:sslp_lending_loans:max"
    await prometheus.value(loans, equals(2), cohort=cohort, state="active")
    await prometheus.value(loans, equals(1), cohort=cohort, state="overdue")
    await prometheus.value("cohort:sslp_lending_participants:max", equals(2), cohort=cohort)
    await prometheus.value("cohort:sslp_lending_loans_overdue:ratio", equals(0.5), cohort=cohort)
    await prometheus.value("state:sslp_line_users:max", at_least(2), state="following")
    await prometheus.value("state:sslp_line_users:max", at_least(1), state="blocked")
    await prometheus.value(
        "sum(route:sslp_ai_safety_escalations:increase1d)", lambda value: value > 0
    )
    await prometheus.value("sum(sslp_ai_model_tokens_total)", lambda value: value > 0)
    await prometheus.value("sum(sslp_ai_model_cost_yen_total)", lambda value: value > 0)
    await prometheus.value(
        'sum(sslp_helpdesk_tickets_opened_total{priority="urgent"})', at_least(1)
    )
    await prometheus.value(
        "priority:sslp_helpdesk_first_response_seconds:p90_1d",
        lambda value: math.isfinite(value) and value > 0,
        priority="urgent",
    )
    await prometheus.value("sslp_helpdesk_csat:mean30d", lambda value: 1 <= value <= 5)
    lag = await prometheus.wait_for('group_topic:sslp_kafka_consumer_lag:max{topic="line.inbound"}')
    assert {sample["metric"]["group"] for sample in lag} >= {"ai_chat", "helpdesk"}
