"""Schemathesis over every service's OpenAPI on the real stack: no input may answer 5xx.

Each operation gets a bounded number of generated requests (`SSLP_SCHEMATHESIS_EXAMPLES`, 25 by
default, valid and invalid data alike), signed in where the API needs it (a helpdesk account
with every role, a lending supervisor) and signed like LINE for `/callback`, so the requests get
past authentication into the code behind it. Generation is derandomised, so a failure repeats on
the next run; set `SSLP_SCHEMATHESIS_SEED` to explore other inputs. Any 5xx fails, listing the
request that caused it. The test runs last in the suite (tests/conftest.py): what it creates
(cohorts, accounts, tickets with random fields) never meets another test.
"""

from __future__ import annotations

import atexit
import json
import os
from collections import Counter
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.core.result import Err

from services.line_gateway.domain.signature import sign
from services.line_gateway.settings import LineGatewaySettings
from tests.helpdesk.support import PASSWORDS as HELPDESK_PASSWORDS
from tests.tablet_lending.support import PASSWORDS as LENDING_PASSWORDS
from tests.tablet_lending.support import cohort_body, fresh_device_id, person
from tools.devstack.stack import Stack

pytestmark = pytest.mark.fuzz

# Requests sent, by service and status class: printed at the end of the run (`-s`) as the figure.
STATUSES: Counter[tuple[str, str]] = Counter()
EXAMPLES = int(os.environ.get("SSLP_SCHEMATHESIS_EXAMPLES", "25"))
SEED = os.environ.get("SSLP_SCHEMATHESIS_SEED")
# Operations that end the fuzzing session itself, or stream forever: not fuzzed.
NOT_FUZZED = {
    ("POST", "/staff/api/logout"),
    ("POST", "/auth/logout"),
    ("GET", "/staff/api/stream"),
    ("GET", "/staff/sso"),
}


Signed = tuple[dict[str, str], dict[str, str]]  # headers, and ids of real records by path parameter


def helpdesk_session(base_url: str) -> Signed:
    login = httpx.post(
        f"{base_url}/staff/api/login",
        json={"username": "admin", "password": HELPDESK_PASSWORDS["admin"], "mode": "bearer"},
    )
    login.raise_for_status()
    headers = {"authorization": f"Bearer {login.json()['token']}"}
    ticket = httpx.post(
        f"{base_url}/staff/api/tickets",
        json={"summary": "電話: 画面が 暗い", "claim": False},
        headers=headers,
    )
    ticket.raise_for_status()
    return headers, {"ticket_id": ticket.json()["id"]}


def lending_session(base_url: str) -> Signed:
    login = httpx.post(
        f"{base_url}/auth/token",
        json={"username": "supervisor", "password": LENDING_PASSWORDS["supervisor"]},
    )
    login.raise_for_status()
    headers = {"authorization": f"Bearer {login.json()['access_token']}"}
    with httpx.Client(base_url=base_url, headers=headers) as http:
        cohort = http.post("/cohorts", json=cohort_body()).raise_for_status().json()
        applied = http.post(f"/cohorts/{cohort['cohort_id']}/applications", json=person())
        device = http.post(
            "/devices",
            json={
                "device_id": fresh_device_id(),
                "serial_number": f"SN-{uuid4().hex}",
                "model": "試験用タブレット",
                "accessories": {"charger": True, "case": True, "sim": True},
            },
        )
    return headers, {
        "cohort_id": cohort["cohort_id"],
        "participant_id": applied.raise_for_status().json()["participant_id"],
        "device_id": device.raise_for_status().json()["device_id"],
    }


SIGN_IN: dict[str, Callable[[str], Signed]] = {
    "helpdesk": helpdesk_session,
    "tablet_lending": lending_session,
}


def send(case: Case[Any], base_url: str, headers: dict[str, str]) -> tuple[int, str]:
    """The status and the start of the body of the case's request."""
    if case.operation.path == "/callback":
        # Signed over the exact bytes sent, as LINE does, so the body reaches the parser.
        kwargs = case.as_transport_kwargs(base_url=base_url)
        body = _bytes(kwargs.pop("json") if "json" in kwargs else kwargs.pop("data", b""))
        kwargs["headers"] = {
            **kwargs.get("headers", {}),
            "x-line-signature": sign(body, LineGatewaySettings().channel_secret),
        }
        sent = requests.request(**kwargs, data=body, timeout=30)
        return sent.status_code, sent.text[:300]
    response = case.call(base_url=base_url, headers=headers, timeout=30)
    return response.status_code, response.content[:300].decode(errors="replace")


@pytest.mark.parametrize("service", ["line_gateway", "ai_chat", "helpdesk", "tablet_lending"])
def test_no_request_gets_a_5xx(stack: Stack, service: str) -> None:
    base_url = stack.config.url(service)
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    headers, known = SIGN_IN[service](base_url) if service in SIGN_IN else ({}, {})
    server_errors: list[str] = []
    operations = 0

    for result in schema.get_all_operations():
        if isinstance(result, Err):
            pytest.fail(
                f"{service}'s OpenAPI has an operation schemathesis cannot read: {result.err()}"
            )
        operation = result.ok()
        if (operation.method.upper(), operation.path) in NOT_FUZZED:
            continue
        operations += 1
        strategies = [
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        ]
        names = {p.name for p in operation.path_parameters}
        if names and names <= known.keys():
            # Also against a record that exists, so the code behind the 404 is reached.
            real = {name: known[name] for name in names}
            strategies += [
                operation.as_strategy(generation_mode=mode, path_parameters=real)
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            ]
        cases = st.one_of(strategies)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=SEED is None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def fuzz(case: Case[Any]) -> None:
            status, text = send(case, base_url, headers)
            STATUSES[(service, f"{status // 100}xx")] += 1
            if status >= 500:
                server_errors.append(
                    f"{status} {case.operation.method.upper()} {case.formatted_path} "
                    f"query={case.query} body={_short(case.body)}: {text}"
                )

        if SEED is not None:
            fuzz = seed(int(SEED))(fuzz)
        fuzz()

    assert operations > 0
    assert STATUSES[(service, "2xx")] > 0, "nothing got past validation and authentication"
    assert not server_errors, "\n".join(dict.fromkeys(server_errors))


@atexit.register
def _report() -> None:
    if STATUSES:
        print("schemathesis requests:", dict(sorted(STATUSES.items())))


def _bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body, ensure_ascii=False).encode()


def _short(body: Any) -> str:
    text = repr(body)
    return text if len(text) < 300 else text[:300] + "…"
