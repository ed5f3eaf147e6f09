"""The helpdesk's mail adapters against the local servers the devstack runs: Dovecot over
IMAPS (IDLE and polling, peeking, \\Seen only when told), the aiosmtpd submission port with
STARTTLS and AUTH; refusals classified as worth a retry or not."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from services.helpdesk.clients.mailbox import FetchedMail, ImapConfig, ImapMailbox, MailboxError
from services.helpdesk.clients.submission import SubmissionError, submit
from services.helpdesk.domain.mail.compose import MailIdentity, build_reply
from services.helpdesk.domain.mail.model import MailAddress
from services.helpdesk.domain.mail.parsing import parse_mail
from services.helpdesk.settings import HelpdeskSettings
from tests.fixtures.mail import LocalMail
from tools.mail_server import client

IDENTITY = MailIdentity(
    address="soudan@helpdesk.example.jp",
    display_name="おおさか楽なび 相談窓口",
    message_id_domain="helpdesk.example.jp",
    signature="おおさか楽なび 相談窓口\n電話 06-0000-0000",
)


def _settings(servers: LocalMail) -> HelpdeskSettings:
    """The helpdesk's settings as the devstack's environment gives them."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in servers.helpdesk_env().items():
            patch.setenv(name, value)
        settings = HelpdeskSettings()
    settings.check_startup()
    return settings


def _imap(servers: LocalMail, **changes: Any) -> ImapConfig:
    return dataclasses.replace(_settings(servers).imap_config(), **changes)


def _send_in(servers: LocalMail, *, charset: str = "iso-2022-jp") -> tuple[str, bytes]:
    """A family member's mail over SMTP; returns its marker subject and the bytes sent."""
    subject = f"母のタブレット {uuid.uuid4().hex[:10]}"
    raw = client.compose_test_mail(
        to=servers.address, subject=subject, body="電源が入りません。", charset=charset
    )
    client.send(
        raw,
        host="127.0.0.1",
        port=servers.ports.smtp,
        mail_from="hanako.tanaka@example.ne.jp",
        rcpt_tos=[servers.address],
    )
    return subject, raw


async def _find(mailbox: ImapMailbox, subject: str) -> FetchedMail:
    for fetched in await mailbox.fetch(await mailbox.unseen()):
        if parse_mail(fetched.raw).subject == subject:
            return fetched
    raise AssertionError(f"no unseen mail with subject {subject!r}")


async def test_new_mail_is_read_over_imaps_and_flagged_seen_only_when_kept(
    mail_servers: LocalMail,
) -> None:
    mailbox = ImapMailbox(_imap(mail_servers))
    try:
        subject, raw = _send_in(mail_servers)
        fetched = await _find(mailbox, subject)
        assert fetched.complete
        assert fetched.raw.endswith(raw)
        assert fetched.uidvalidity == mailbox.uidvalidity > 0
        mail = parse_mail(fetched.raw)
        assert mail.text.startswith("電源が入りません。")
        # Reading peeks: a reader that dies now reads it again.
        assert fetched.uid in await mailbox.unseen()
        await mailbox.mark_seen([fetched.uid])
        assert fetched.uid not in await mailbox.unseen()
    finally:
        await mailbox.close()


async def test_idle_wakes_the_reader_when_mail_arrives(mail_servers: LocalMail) -> None:
    mailbox = ImapMailbox(_imap(mail_servers, idle_seconds=60.0))
    try:
        assert b"IDLE" in await mailbox.capabilities()
        waiting = asyncio.create_task(mailbox.wait_for_mail())
        # The mail leaves once the server has accepted IDLE, so only IDLE can report it.
        assert await asyncio.to_thread(mailbox.idling.wait, 30)
        assert not waiting.done()
        await asyncio.to_thread(_send_in, mail_servers)
        # Woken by the server's EXISTS, well before the 60 s re-IDLE.
        assert await asyncio.wait_for(waiting, timeout=30) is True
    finally:
        await mailbox.close()


async def test_without_idle_the_reader_polls(mail_servers: LocalMail) -> None:
    mailbox = ImapMailbox(_imap(mail_servers, use_idle=False, poll_seconds=0.2))
    try:
        assert await asyncio.wait_for(mailbox.wait_for_mail(), timeout=5) is False
    finally:
        await mailbox.close()


async def test_mail_over_the_size_limit_is_fetched_as_its_header_only(
    mail_servers: LocalMail,
) -> None:
    mailbox = ImapMailbox(_imap(mail_servers, max_message_bytes=200))
    try:
        subject, raw = _send_in(mail_servers, charset="utf-8")
        fetched = await _find(mailbox, subject)
        assert not fetched.complete
        assert fetched.size > 200
        assert b"\r\n\r\n" in fetched.raw
        assert raw.split(b"\r\n\r\n", 1)[1] not in fetched.raw
        await mailbox.mark_seen([fetched.uid])
    finally:
        await mailbox.close()


async def test_a_wrong_app_password_is_not_worth_retrying(mail_servers: LocalMail) -> None:
    mailbox = ImapMailbox(_imap(mail_servers, password="wrong"))
    with pytest.raises(MailboxError) as refused:
        await mailbox.connect()
    assert not refused.value.retryable
    await mailbox.close()


async def test_an_unknown_certificate_is_refused(mail_servers: LocalMail) -> None:
    mailbox = ImapMailbox(_imap(mail_servers, ca_file=None))  # the system's CAs only
    with pytest.raises(MailboxError) as refused:
        await mailbox.connect()
    assert "certificate" in str(refused.value)
    assert not refused.value.retryable


async def test_an_unreachable_server_is_worth_retrying(mail_servers: LocalMail) -> None:
    # The control port speaks HTTP: the TLS handshake fails as on a broken connection.
    mailbox = ImapMailbox(_imap(mail_servers, port=mail_servers.ports.control, timeout_seconds=3.0))
    with pytest.raises(MailboxError) as failed:
        await mailbox.connect()
    assert failed.value.retryable


def _reply(parent_message_id: str) -> tuple[str, EmailMessage]:
    reply_id = uuid.uuid4().hex
    message = build_reply(
        reply_id=reply_id,
        identity=IDENTITY,
        to=MailAddress("hanako.tanaka@example.ne.jp", "田中 花子"),
        body="お問い合わせありがとうございます。\n充電器をつないでお待ちください。",
        subject="母のタブレット",
        recorded_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
        parent_message_id=parent_message_id,
        parent_references=["<root@example.ne.jp>"],
        ticket_ref="HD-1234",
    )
    return reply_id, message


async def test_a_staff_reply_arrives_at_the_sink_with_its_threading_headers(
    mail_servers: LocalMail,
) -> None:
    _, message = _reply("<parent@example.ne.jp>")
    config = _settings(mail_servers).smtp_config()
    await submit(
        config,
        message,
        sender=IDENTITY.address,
        recipients=["hanako.tanaka@example.ne.jp"],
    )
    message_id = str(message["Message-ID"])
    [sent] = mail_servers.sent(message_id)
    assert sent["rcpt_tos"] == ["hanako.tanaka@example.ne.jp"]
    arrived = message_from_bytes(mail_servers.sent_raw(str(sent["key"])), policy=policy.default)
    assert str(arrived["Message-ID"]).strip() == message_id
    assert arrived["In-Reply-To"] == "<parent@example.ne.jp>"
    assert arrived["References"] == "<root@example.ne.jp> <parent@example.ne.jp>"
    assert str(arrived["Subject"]) == "Re: 母のタブレット [SSL#HD-1234]"
    body = arrived.get_body(("plain",))
    assert body is not None
    assert "充電器" in body.get_content()
    assert "電話 06-0000-0000" in body.get_content()


async def test_submission_refusals_say_whether_to_retry(mail_servers: LocalMail) -> None:
    _, message = _reply("<parent@example.ne.jp>")
    config = _settings(mail_servers).smtp_config()
    with pytest.raises(SubmissionError) as refused:
        await submit(
            dataclasses.replace(config, password="wrong"),
            message,
            sender=IDENTITY.address,
            recipients=["hanako.tanaka@example.ne.jp"],
        )
    assert refused.value.code == 535
    assert not refused.value.retryable
    with pytest.raises(SubmissionError) as failed:
        await submit(
            dataclasses.replace(config, port=mail_servers.ports.control, timeout_seconds=3.0),
            message,
            sender=IDENTITY.address,
            recipients=["hanako.tanaka@example.ne.jp"],
        )
    assert failed.value.retryable
    message_id = str(message["Message-ID"])
    assert mail_servers.sent(message_id) == []


async def test_a_message_without_its_message_id_is_never_sent(mail_servers: LocalMail) -> None:
    _, message = _reply("<parent@example.ne.jp>")
    del message["Message-ID"]
    with pytest.raises(ValueError, match="Message-ID"):
        await submit(
            _settings(mail_servers).smtp_config(),
            message,
            sender=IDENTITY.address,
            recipients=["hanako.tanaka@example.ne.jp"],
        )


def test_settings_refuse_a_half_configured_mail_channel() -> None:
    assert not HelpdeskSettings().mail_enabled
    HelpdeskSettings().check_startup()
    half = HelpdeskSettings(mail_imap_host="imap.example.jp", mail_address="soudan@example.jp")
    with pytest.raises(ValueError, match="HELPDESK_MAIL_IMAP_PASSWORD is needed"):
        half.check_startup()
    assert "mail_imap_password" not in repr(HelpdeskSettings(mail_imap_password="secret"))
