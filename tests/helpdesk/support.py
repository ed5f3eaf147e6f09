"""Helpers for helpdesk tests: staff clients over real HTTP, events on the real broker."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx

from services.common.events.contracts.helpdesk import (
    HelpRequested,
    Priority,
    RequestReason,
    SlaBreached,
    SlaWarning,
)
from services.common.events.contracts.line import (
    ConversationMode,
    MessageReceived,
    PostbackReceived,
)
from services.common.events.envelope import Contract, Envelope, encode_event, new_event
from services.common.time import utcnow
from tests.fixtures.events import keyed_events, wait_keyed_events
from tests.fixtures.kafka import produce
from tools.devstack.stack import Stack

PASSWORDS = {
    "tanaka": "tanaka-demo-pass",
    "suzuki": "suzuki-demo-pass",
    "sato": "sato-demo-pass",
    "admin": "admin-demo-pass",
}
NAMES = {"tanaka": "田中 (担当)", "suzuki": "鈴木 (担当)", "sato": "佐藤 (主任)"}


class Staff:
    """A signed-in staff member using bearer tokens (the API path scripts use)."""

    def __init__(self, base_url: str) -> None:
        # Idle connections dropped before the helpdesk's uvicorn closes them (5 s keep-alive, the
        # same as httpx's default expiry): a request after a pause of about 5 s (a service
        # restarted in between) could otherwise go out on a connection being closed and fail.
        self.http = httpx.AsyncClient(
            base_url=base_url, timeout=20.0, limits=httpx.Limits(keepalive_expiry=2.0)
        )
        self.token = ""

    @classmethod
    async def login(cls, stack: Stack, username: str) -> Staff:
        staff = cls(stack.config.url("helpdesk"))
        response = await staff.http.post(
            "/staff/api/login",
            json={"username": username, "password": PASSWORDS[username], "mode": "bearer"},
        )
        response.raise_for_status()
        staff.token = response.json()["token"]
        staff.http.headers["authorization"] = f"Bearer {staff.token}"
        return staff

    async def close(self) -> None:
        await self.http.aclose()

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params)

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(path, json=body or {})

    async def ticket(self, ticket_id: str) -> dict[str, Any]:
        response = await self.http.get(f"/staff/api/tickets/{ticket_id}")
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    async def tickets_of(self, line_user_id: str, **params: Any) -> list[dict[str, Any]]:
        response = await self.http.get(
            "/staff/api/tickets",
            params={
                "line_user_id": line_user_id,
                "status": ["new", "open", "waiting_on_senior", "resolved", "closed"],
                **params,
            },
        )
        response.raise_for_status()
        tickets: list[dict[str, Any]] = response.json()["tickets"]
        return tickets

    async def wait_ticket_of(
        self, line_user_id: str, *, timeout: float = 20.0, count: int = 1
    ) -> list[dict[str, Any]]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = await self.tickets_of(line_user_id)
            if len(found) >= count or asyncio.get_running_loop().time() > deadline:
                assert len(found) >= count, f"no ticket for {line_user_id} within {timeout}s"
                return found
            await asyncio.sleep(0.3)

    async def wait_for(
        self, ticket_id: str, until: Any, *, timeout: float = 20.0
    ) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = await self.ticket(ticket_id)
            if until(found) or asyncio.get_running_loop().time() > deadline:
                return found
            await asyncio.sleep(0.3)


async def publish(stack: Stack, topic: str, key: str, event: Envelope[Any]) -> None:
    await produce(stack.kafka.bootstrap_servers, topic, key=key.encode(), value=encode_event(event))


def help_request(
    user: str,
    *,
    reason: RequestReason = RequestReason.PERSON_REQUESTED,
    priority: Priority = Priority.NORMAL,
    handover: bool = True,
    summary: str = "人と話したいそうです",
    participant_id: str | None = None,
) -> Envelope[HelpRequested]:
    event_id = uuid4()
    return new_event(
        HelpRequested(
            request_id=f"ai_chat:{event_id}",
            line_user_id=user,
            participant_id=participant_id,
            reason=reason,
            priority=priority,
            summary=summary,
            handover=handover,
        ),
        source="ai_chat",
        event_id=event_id,
    )


def senior_message(
    user: str,
    text: str,
    *,
    mode: ConversationMode = ConversationMode.HUMAN,
    participant_id: str | None = None,
) -> Envelope[MessageReceived]:
    """A senior's message as line_gateway publishes it (`participant_id`: its link stamp)."""
    now = utcnow()
    return new_event(
        MessageReceived(
            user_id=user,
            webhook_event_id=uuid4().hex,
            message_id=uuid4().hex[:12],
            message_type="text",
            text=text,
            reply_token=uuid4().hex,
            reply_token_expires_at=now + timedelta(seconds=50),
            sent_at=now,
            conversation_mode=mode,
            participant_id=participant_id,
        ),
        source="line_gateway",
    )


def postback(
    user: str, data: str, *, mode: ConversationMode = ConversationMode.BOT
) -> Envelope[PostbackReceived]:
    now = utcnow()
    return new_event(
        PostbackReceived(
            user_id=user,
            webhook_event_id=uuid4().hex,
            data=data,
            reply_token=uuid4().hex,
            reply_token_expires_at=now + timedelta(seconds=50),
            sent_at=now,
            conversation_mode=mode,
        ),
        source="line_gateway",
    )


async def events_on(stack: Stack, topic: str, *, key: str) -> list[Envelope[Contract]]:
    return await keyed_events(stack, topic, key)


async def wait_events(
    stack: Stack, topic: str, *, key: str, until: Any, timeout: float = 20.0
) -> list[Envelope[Contract]]:
    return await wait_keyed_events(stack, topic, key, until, timeout=timeout, interval=0.4)


def of_type(events: list[Envelope[Contract]], event_type: str) -> list[Envelope[Contract]]:
    return [e for e in events if e.type == event_type]


def sla_announcements(
    events: list[Envelope[Contract]], event_type: str, target: str
) -> list[Envelope[Contract]]:
    """SLA warnings or breaches (by event type) for one target."""
    return [
        e
        for e in of_type(events, event_type)
        if isinstance(e.data, SlaWarning | SlaBreached) and e.data.target == target
    ]


async def take_conversation(staff: Staff, line_user_id: str) -> dict[str, Any]:
    """Staff log a call from this senior and take their LINE conversation (a real hand-over)."""
    intake = await staff.post(
        "/staff/api/tickets",
        {
            "channel": "phone",
            "summary": "お電話のあと LINE で続けます",
            "line_user_id": line_user_id,
        },
    )
    assert intake.status_code == 201, intake.text
    taken = await staff.post(
        f"/staff/api/tickets/{intake.json()['id']}/conversation",
        {"version": intake.json()["version"]},
    )
    assert taken.status_code == 200, taken.text
    ticket: dict[str, Any] = taken.json()
    assert ticket["holds_conversation"] is True
    return ticket


async def give_back_every_conversation(staff: Staff, line_user_id: str) -> None:
    """Hand every ticket holding this senior's conversation back to Dai-chan."""
    for ticket in await staff.tickets_of(line_user_id):
        if ticket.get("holds_conversation"):
            current = await staff.ticket(str(ticket["id"]))
            back = await staff.post(
                f"/staff/api/tickets/{ticket['id']}/handback", {"version": current["version"]}
            )
            assert back.status_code == 200, back.text
