"""The helpdesk killed (SIGKILL) while mail arrives and while a staff reply waits to be sent:
every mail becomes exactly one ticket, and the reply arrives in the submission sink once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.common.time import utcnow
from services.helpdesk.domain.mail.threading import reply_message_id
from services.helpdesk.settings import HelpdeskSettings
from services.helpdesk.usecases.mail_replies import LEASE
from tests.fixtures.mail import LocalMail
from tests.fixtures.waiting import eventually
from tests.helpdesk.support import Staff
from tools.devstack.stack import Stack
from tools.mail_server import client

FAMILY = "hanako.tanaka@example.ne.jp"


@pytest.fixture
async def helpdesk_with_mail(
    stack: Stack, mail_servers: LocalMail
) -> AsyncIterator[dict[str, str]]:
    """The stack's helpdesk reading the local mailbox and sending through the local sink."""
    env = {**mail_servers.helpdesk_env(), "HELPDESK_MAIL_SEND_INTERVAL_SECONDS": "0.5"}
    await stack.restart_app("helpdesk", env=env)
    yield env
    await stack.restart_app("helpdesk", env={"HELPDESK_MAIL_IMAP_HOST": ""})


def _send(servers: LocalMail, subject: str, body: str) -> None:
    raw = client.compose_test_mail(to=servers.address, subject=subject, body=body, sender=FAMILY)
    client.send(
        raw,
        host="127.0.0.1",
        port=servers.ports.smtp,
        mail_from=FAMILY,
        rcpt_tos=[servers.address],
    )


async def _as_if_claimed_before_the_kill(stack: Stack, reply_id: str) -> None:
    """The reply held by the helpdesk's INSTANCE_ID for a whole lease, as a claim just before
    the kill leaves it (whether the killed process got that far is a race): the restarted
    helpdesk must take it back at start-up instead of waiting the lease out."""
    settings = HelpdeskSettings()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo.uri)
    try:
        await client[settings.mongodb_database]["mail_outbox"].update_one(
            {"_id": reply_id, "state": "pending"},
            {"$set": {"held_by": settings.instance_id, "next_at": utcnow() + LEASE}},
        )
    finally:
        await client.close()


async def _tickets(staff: Staff, marker: str) -> list[dict[str, Any]]:
    response = await staff.get(
        "/staff/api/tickets",
        channel="email",
        status=["new", "open", "waiting_on_senior", "resolved", "closed"],
    )
    response.raise_for_status()
    return [t for t in response.json()["tickets"] if marker in t["summary"]]


async def test_killing_the_helpdesk_while_mail_arrives_loses_none_and_doubles_none(
    stack: Stack, mail_servers: LocalMail, helpdesk_with_mail: dict[str, str]
) -> None:
    marker = uuid.uuid4().hex[:8]
    count = 8
    for n in range(count):
        _send(mail_servers, f"{marker} 相談 {n}", f"タブレットの件 {n} です。")
        if n == 3:
            await asyncio.sleep(0.3)  # let the reader be in the middle of them
            stack.apps["helpdesk"].kill()
    await stack.start_apps(["helpdesk"], env=helpdesk_with_mail)
    staff = await Staff.login(stack, "tanaka")
    try:
        found = await eventually(
            lambda: _tickets(staff, marker), lambda t: len(t) >= count, timeout=60
        )
        assert sorted(t["summary"] for t in found) == sorted(
            f"メールでのご相談: {marker} 相談 {n}" for n in range(count)
        )
        for summary in found:
            ticket = await staff.ticket(summary["id"])
            assert [e["kind"] for e in ticket["thread"]] == ["system", "senior"]

        # A staff reply, then the helpdesk killed before or while its sender runs.
        ticket = await staff.ticket(found[0]["id"])
        response = await staff.post(
            f"/staff/api/tickets/{ticket['id']}/replies",
            {
                "version": ticket["version"],
                "text": "確認いたします。",
                "client_reply_id": f"reply-{marker}",
                "then_wait": True,
            },
        )
        response.raise_for_status()
        stack.apps["helpdesk"].kill()
        reply_id = response.json()["thread"][-1]["id"]
        await _as_if_claimed_before_the_kill(stack, reply_id)
        await stack.start_apps(["helpdesk"], env=helpdesk_with_mail)
        message_id = reply_message_id(reply_id, "helpdesk.example.jp")
        sent = await eventually(lambda: asyncio.to_thread(mail_servers.sent, message_id), bool)
        await asyncio.sleep(1.5)  # three more sender rounds: none may send it again
        assert len(sent) == len(mail_servers.sent(message_id)) == 1
    finally:
        await staff.close()
