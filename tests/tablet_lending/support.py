"""Helpers for tablet_lending tests: a signed-in API client and fresh, fictional test data.

Every test builds its own cohort (a fresh id), so tests never share state on the one stack.
"""

from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

import httpx

from services.common.events import encode_event, new_event
from services.common.events.contracts.line import AccountLinked
from services.common.time import JST, utcnow
from tests.fixtures.kafka import produce, wait_for_records
from tests.fixtures.line import new_user_id
from tests.fixtures.waiting import eventually
from tools.devstack.stack import Stack

PASSWORDS = {
    "operator": "operator-demo-pass",
    "supervisor": "supervisor-demo-pass",
    "viewer": "viewer-demo-pass",
}
KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
)
IKUNO = {"code": "27116", "name": "大阪市生野区"}
ABENO = {"code": "27119", "name": "大阪市阿倍野区"}


def today_jst() -> date:
    return utcnow().astimezone(JST).date()


def fresh_cohort_id() -> str:
    return f"t-{uuid4().hex[:12]}"


def fresh_device_id() -> str:
    return f"T-{uuid4().hex[:10].upper()}"


def kana(length: int = 4) -> str:
    return "".join(random.choice(KATAKANA) for _ in range(length))


def person(**overrides: Any) -> dict[str, Any]:
    """An application body for a fictional applicant (unique kana, so no duplicate)."""
    personal = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "ヤマダ",
        "given_name_kana": kana(),
        "birthdate": "1955-04-01",
        "address": "大阪市生野区桃谷1-1-1（試験）",
        "postal_code": "544-0034",
        "phone": "06-0000-1234",
    }
    body: dict[str, Any] = {"terms_version": "v1"}
    for key, value in overrides.items():
        if key in personal:
            personal[key] = value
        else:
            body[key] = value
    body["personal"] = personal
    return body


def cohort_body(**overrides: Any) -> dict[str, Any]:
    today = today_jst()
    body: dict[str, Any] = {
        "cohort_id": fresh_cohort_id(),
        "name": "試験期",
        "areas": [IKUNO, ABENO],
        "lending_starts_on": (today - timedelta(days=30)).isoformat(),
        "lending_ends_on": (today + timedelta(days=150)).isoformat(),
        "minimum_age": 50,
        "capacity": 10,
    }
    body.update(overrides)
    return body


def jst(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), JST).isoformat()


class LendingApi:
    """The admin API as a signed-in staff member sees it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30.0)

    @classmethod
    async def signed_in(cls, stack: Stack, role: str) -> LendingApi:
        api = cls(stack.config.url("tablet_lending"))
        await api.login(role, PASSWORDS[role])
        return api

    async def login(self, username: str, password: str) -> httpx.Response:
        response = await self.http.post(
            "/auth/token", json={"username": username, "password": password}
        )
        if response.status_code == 200:
            self.http.headers["authorization"] = f"Bearer {response.json()['access_token']}"
        return response

    async def close(self) -> None:
        await self.http.aclose()

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call and insist on a 2xx answer; returns the JSON (or None for 204)."""
        response = await self.http.request(method, path, **kwargs)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content and response.status_code != 204 else None

    # -- building blocks -------------------------------------------------------------------

    async def cohort(self, **overrides: Any) -> dict[str, Any]:
        created: dict[str, Any] = await self.ok("POST", "/cohorts", json=cohort_body(**overrides))
        return created

    async def apply(self, cohort_id: str, **overrides: Any) -> httpx.Response:
        return await self.http.post(f"/cohorts/{cohort_id}/applications", json=person(**overrides))

    async def enrolled(self, cohort_id: str, count: int = 1, **overrides: Any) -> list[str]:
        """`count` applicants, drawn (everyone fits), returned as enrolled participant ids."""
        ids = []
        for _ in range(count):
            response = await self.apply(cohort_id, **overrides)
            assert response.status_code == 201, response.text
            ids.append(response.json()["participant_id"])
        return ids

    async def draw(self, cohort_id: str, seed: str = "test-seed-0001") -> dict[str, Any]:
        drawn: dict[str, Any] = await self.ok(
            "POST", f"/cohorts/{cohort_id}/lottery", json={"seed": seed}
        )
        return drawn

    async def device(self, **overrides: Any) -> dict[str, Any]:
        body = {
            "device_id": fresh_device_id(),
            "serial_number": f"SN-{uuid4().hex}",
            "model": "試験用タブレット",
            "accessories": {"charger": True, "case": True, "sim": True},
            **overrides,
        }
        device: dict[str, Any] = await self.ok("POST", "/devices", json=body)
        return device

    async def session(
        self,
        cohort_id: str,
        *,
        kind: str,
        starts: str,
        ends: str,
        capacity: int = 10,
        title: str = "試験の講座",
    ) -> dict[str, Any]:
        session: dict[str, Any] = await self.ok(
            "POST",
            "/sessions",
            json={
                "cohort_id": cohort_id,
                "kind": kind,
                "title": title,
                "venue": "試験会場",
                "starts_at": starts,
                "ends_at": ends,
                "capacity": capacity,
            },
        )
        return session

    async def attended_explanatory(self, cohort_id: str, participant_ids: list[str]) -> str:
        now = utcnow()
        session = await self.session(
            cohort_id,
            kind="explanatory",
            starts=(now - timedelta(hours=2)).isoformat(),
            ends=(now - timedelta(hours=1)).isoformat(),
        )
        for participant_id in participant_ids:
            await self.ok(
                "POST",
                f"/sessions/{session['session_id']}/attendance",
                json={"participant_id": participant_id, "attended": True},
            )
        return str(session["session_id"])

    async def lend(
        self, participant_id: str, *, issued_on: date | None = None, device_id: str | None = None
    ) -> dict[str, Any]:
        device_id = device_id or (await self.device())["device_id"]
        body: dict[str, Any] = {"participant_id": participant_id, "device_id": device_id}
        if issued_on is not None:
            body["issued_on"] = issued_on.isoformat()
        loan: dict[str, Any] = await self.ok("POST", "/loans", json=body)
        return loan

    async def run_scheduler(self) -> dict[str, Any]:
        report: dict[str, Any] = await self.ok("POST", "/admin/scheduler/run")
        return report


async def link(stack: Stack, api: LendingApi, participant_id: str, user: str | None = None) -> str:
    """Publish `line.account.linked` as line_gateway would, and wait for lending to learn it."""
    user = user or new_user_id()
    event = new_event(
        AccountLinked(user_id=user, participant_id=participant_id, linked_at=utcnow()),
        source="line_gateway",
    )
    await produce(
        stack.kafka.bootstrap_servers, "line.inbound", key=user.encode(), value=encode_event(event)
    )
    detail = await eventually(
        lambda: api.ok("GET", f"/participants/{participant_id}"),
        lambda d: d["line_linked"],
    )
    assert detail["line_linked"]
    return user


async def exactly_one(stack: Stack, topic: str, key: str, *, quiet: float = 3.0) -> bytes:
    """The one record under `key`, after waiting long enough for a second one to show up.

    A single read of a topic can come back empty just after its consumer starts (no partitions
    assigned yet), so every read here waits for at least one record, which is known to exist.
    """
    bootstrap = stack.kafka.bootstrap_servers
    assert await wait_for_records(bootstrap, topic, key=key.encode(), count=1)
    await asyncio.sleep(quiet)
    found = await wait_for_records(bootstrap, topic, key=key.encode(), count=1)
    assert len(found) == 1, found
    return found[0].value
