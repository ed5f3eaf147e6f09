"""A mail's attachments downloaded by staff, on the whole stack: the stack's helpdesk reads a
real mail (SMTP in, IMAPS out) with a Japanese-named PDF and a program; staff see the PDF on the
entry and the program refused, download the PDF's exact bytes with headers that make a browser
save it, and the read is audited. Nobody signed out, and no other ticket, gets it."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.fixtures.browser import needs_chromium
from tests.fixtures.mail import LocalMail
from tests.fixtures.waiting import eventually
from tests.helpdesk.support import PASSWORDS, Staff
from tools.devstack.stack import Stack
from tools.mail_server import client

FAMILY = "hanako.tanaka@example.ne.jp"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
PDF_NAME = "診断書.pdf"


@pytest.fixture
async def helpdesk_with_mail(
    stack: Stack, mail_servers: LocalMail
) -> AsyncIterator[dict[str, str]]:
    """The stack's helpdesk reading the local mailbox."""
    env = mail_servers.helpdesk_env()
    await stack.restart_app("helpdesk", env=env)
    yield env
    await stack.restart_app("helpdesk", env={"HELPDESK_MAIL_IMAP_HOST": ""})


def _send(servers: LocalMail, subject: str, *, files: bool) -> None:
    message = EmailMessage(policy=SMTP)
    message["From"] = FAMILY
    message["To"] = servers.address
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.ne.jp>"
    message.set_content("診断書を添付します。")
    if files:
        message.add_attachment(PDF, maintype="application", subtype="pdf", filename=PDF_NAME)
        message.add_attachment(
            b"MZ\x90\x00" + b"\x00" * 2000,
            maintype="application",
            subtype="x-msdownload",
            filename="setup.exe",
        )
    client.send(
        message.as_bytes(),
        host="127.0.0.1",
        port=servers.ports.smtp,
        mail_from=FAMILY,
        rcpt_tos=[servers.address],
    )


async def _ticket(staff: Staff, subject: str) -> dict[str, Any]:
    async def matching() -> list[dict[str, Any]]:
        response = await staff.get("/staff/api/tickets", channel="email")
        response.raise_for_status()
        return [t for t in response.json()["tickets"] if subject in t["summary"]]

    [found] = await eventually(matching, bool, timeout=60)
    return await staff.ticket(found["id"])


async def test_staff_download_a_kept_attachment_and_the_read_is_audited(
    stack: Stack, mail_servers: LocalMail, helpdesk_with_mail: dict[str, str]
) -> None:
    marker = uuid.uuid4().hex[:8]
    _send(mail_servers, f"{marker} 診断書", files=True)
    _send(mail_servers, f"{marker} 別の件", files=False)
    tanaka = await Staff.login(stack, "tanaka")
    sato = await Staff.login(stack, "sato")
    try:
        ticket = await _ticket(tanaka, f"{marker} 診断書")
        other = await _ticket(tanaka, f"{marker} 別の件")
        entry = ticket["thread"][-1]
        [ref] = entry["attachments"]
        assert (ref["filename"], ref["size"]) == (PDF_NAME, len(PDF))
        assert entry["refused_parts"] == [{"filename": "setup.exe", "reason": "blocked_type"}]
        path = f"/staff/api/tickets/{ticket['id']}/attachments/{ref['id']}"

        response = await tanaka.get(path)
        assert response.status_code == 200
        assert response.content == PDF
        assert hashlib.sha256(response.content).hexdigest() == ref["sha256"]
        assert response.headers["content-type"] == "application/pdf"
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=UTF-8''{quote(PDF_NAME)}" in disposition
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"

        audit = await sato.get(f"/staff/api/tickets/{ticket['id']}/audit")
        audit.raise_for_status()
        reads = [e for e in audit.json()["entries"] if e["action"] == "ticket.attachment.read"]
        assert len(reads) == 1
        assert reads[0]["details"]["attachment"] == ref["id"]

        # Another ticket's id with this attachment: nothing, and nothing audited.
        wrong = await tanaka.get(f"/staff/api/tickets/{other['id']}/attachments/{ref['id']}")
        assert wrong.status_code == 404
        assert wrong.json()["message"] == "No such attachment on this ticket."
        async with httpx.AsyncClient(base_url=stack.config.url("helpdesk")) as anonymous:
            refused = await anonymous.get(path)
        assert refused.status_code == 401
        assert PDF not in refused.content
        again = await sato.get(f"/staff/api/tickets/{other['id']}/audit")
        assert not [e for e in again.json()["entries"] if e["action"] == "ticket.attachment.read"]
    finally:
        await tanaka.close()
        await sato.close()


@needs_chromium
async def test_the_staff_page_offers_the_file_and_names_the_refused_one(
    browser: Browser,
    stack: Stack,
    mail_servers: LocalMail,
    helpdesk_with_mail: dict[str, str],
    tmp_path: Path,
) -> None:
    subject = f"{uuid.uuid4().hex[:8]} 診断書"
    _send(mail_servers, subject, files=True)
    staff = await Staff.login(stack, "tanaka")
    try:
        await _ticket(staff, subject)
    finally:
        await staff.close()
    context = await browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    try:
        page = await context.new_page()
        page.set_default_timeout(15_000)
        await page.goto(f"{stack.config.url('helpdesk')}/staff/")
        await page.get_by_label("ユーザー名").fill("tanaka")
        await page.get_by_label("パスワード").fill(PASSWORDS["tanaka"])
        await page.get_by_label("パスワード").press("Enter")
        await page.get_by_role("button", name=re.compile(re.escape(subject))).click()
        files = page.locator("#thread .entry-files")
        await expect(files).to_contain_text(f"{PDF_NAME}")
        await expect(files).to_contain_text("KB")
        await expect(files.locator(".refused")).to_contain_text("setup.exe")
        await expect(files.locator(".refused")).to_contain_text("危険なおそれ")
        # The session cookie is enough: the link is an ordinary download.
        async with page.expect_download() as waiting:
            await files.get_by_role("link", name=re.compile(re.escape(PDF_NAME))).click()
        download = await waiting.value
        assert download.suggested_filename == PDF_NAME
        saved = tmp_path / "saved.pdf"
        await download.save_as(saved)
        assert saved.read_bytes() == PDF
    finally:
        await context.close()
