"""The local mail servers over real SMTP and IMAP: the aiosmtpd endpoint delivers into the
mailbox Dovecot serves, the submission port insists on STARTTLS and AUTH and records what it
takes, the control API sends test mail in the three charsets Japanese families use."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage

import httpx
import pytest
from imapclient import IMAPClient

from tests.fixtures.mail import LocalMail
from tools.mail_server import client
from tools.mail_server.tls import client_context


def _imap(servers: LocalMail) -> IMAPClient:
    imap = IMAPClient(
        "127.0.0.1",
        port=servers.ports.imap,
        ssl=True,
        ssl_context=client_context(servers.paths.certificate),
        timeout=10,
    )
    imap.login("helpdesk", "helpdesk-mail-demo-pass")
    return imap


def _fetch_by_subject_marker(servers: LocalMail, marker: str) -> bytes:
    imap = _imap(servers)
    try:
        imap.select_folder("INBOX", readonly=True)
        uids = imap.search(["HEADER", "X-Test-Marker", marker])
        assert len(uids) == 1, uids
        return bytes(imap.fetch(uids, ["BODY.PEEK[]"])[uids[0]][b"BODY[]"])
    finally:
        imap.logout()


@pytest.mark.parametrize("charset", client.CHARSETS)
def test_a_mail_sent_over_smtp_reaches_the_imap_mailbox_unchanged(
    mail_servers: LocalMail, charset: str
) -> None:
    marker = uuid.uuid4().hex
    raw = client.compose_test_mail(
        to=mail_servers.address,
        subject="母のタブレットについて",
        body="電源が入りません。\n高橋より",
        charset=charset,
    )
    raw = f"X-Test-Marker: {marker}\r\n".encode() + raw
    client.send(
        raw,
        host="127.0.0.1",
        port=mail_servers.ports.smtp,
        mail_from="hanako.tanaka@example.ne.jp",
        rcpt_tos=[mail_servers.address],
    )
    stored = _fetch_by_subject_marker(mail_servers, marker)
    # A final MTA adds its trace above the message and changes nothing of it.
    assert stored.endswith(raw)
    trace = stored[: -len(raw)]
    assert trace.startswith(b"Return-Path: <hanako.tanaka@example.ne.jp>\r\n")
    assert f"Delivered-To: {mail_servers.address}".encode() in trace
    message = message_from_bytes(stored, policy=policy.default)
    assert str(message["Subject"]) == "母のタブレットについて"
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n").startswith("電源が入りません。\n高橋より")


def test_mail_for_an_unknown_local_address_is_refused(mail_servers: LocalMail) -> None:
    with (
        smtplib.SMTP("127.0.0.1", mail_servers.ports.smtp, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        smtp.sendmail("a@example.jp", ["nobody@helpdesk.example.jp"], b"Subject: x\r\n\r\nx\r\n")
    assert refused.value.recipients["nobody@helpdesk.example.jp"][0] == 550


def test_incoming_mail_over_the_size_limit_is_refused(mail_servers: LocalMail) -> None:
    # The server's limit is 30 MiB (MAIL_SERVER_MAX_MESSAGE_BYTES); SIZE is announced, so a
    # client declaring more is refused before it sends anything.
    with smtplib.SMTP("127.0.0.1", mail_servers.ports.smtp, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("size")
        code, _ = smtp.mail("a@example.jp", options=[f"SIZE={31 * 1024 * 1024}"])
    assert code == 552


def _reply(to: str, message_id: str) -> EmailMessage:
    reply = EmailMessage()
    reply["From"] = "soudan@helpdesk.example.jp"
    reply["To"] = to
    reply["Subject"] = "Re: タブレット"
    reply["Message-ID"] = message_id
    reply.set_content("お問い合わせありがとうございます。")
    return reply


def test_submission_needs_starttls_and_auth_then_records_the_mail(mail_servers: LocalMail) -> None:
    message_id = f"<{uuid.uuid4().hex}@helpdesk.example.jp>"
    port = mail_servers.ports.submission
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("auth")  # offered only inside TLS
        code, _ = smtp.mail("soudan@helpdesk.example.jp")
        assert code == 530  # 5.7.0 STARTTLS first
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.starttls(context=client_context(mail_servers.paths.certificate))
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.login("helpdesk", "wrong")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.starttls(context=client_context(mail_servers.paths.certificate))
        smtp.login("helpdesk", "helpdesk-mail-demo-pass")
        smtp.send_message(_reply("family@example.ne.jp", message_id))
    [sent] = mail_servers.sent(message_id)
    assert sent["rcpt_tos"] == ["family@example.ne.jp"]
    assert sent["mail_from"] == "soudan@helpdesk.example.jp"
    raw = mail_servers.sent_raw(str(sent["key"]))
    assert message_from_bytes(raw, policy=policy.default)["Message-ID"] == message_id


def test_the_submission_certificate_is_checked_by_name(mail_servers: LocalMail) -> None:
    context = ssl.create_default_context()  # the system's CAs: our self-signed one is unknown
    with (
        smtplib.SMTP("127.0.0.1", mail_servers.ports.submission, timeout=10) as smtp,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        smtp.starttls(context=context)


def test_the_control_api_sends_a_test_mail_and_lists_the_mailbox(mail_servers: LocalMail) -> None:
    base = mail_servers.control_url
    config = httpx.get(f"{base}/control/config", timeout=5).json()
    assert config["address"] == mail_servers.address
    assert config["imap_port"] == mail_servers.ports.imap
    subject = f"テスト {uuid.uuid4().hex[:8]}"
    response = httpx.post(
        f"{base}/control/send",
        json={
            "to": mail_servers.address,
            "subject": subject,
            "body": "本文",
            "charset": "shift_jis",
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    listed = httpx.get(f"{base}/control/mailbox", timeout=5).json()
    assert [m for m in listed if m["subject"] == subject]
    page = httpx.get(f"{base}/", timeout=5)
    assert "ローカルメールサーバー" in page.text


def test_the_control_api_refuses_bad_input_clearly(mail_servers: LocalMail) -> None:
    base = mail_servers.control_url
    refused = httpx.post(
        f"{base}/control/send",
        json={"to": "nobody@helpdesk.example.jp", "subject": "x", "body": "x"},
        timeout=10,
    )
    assert refused.status_code == 400
    assert refused.json()["detail"] == "recipient refused"
    invalid = httpx.post(
        f"{base}/control/send", json={"to": "x", "subject": "x", "body": "x"}, timeout=10
    )
    assert invalid.status_code == 422
    assert httpx.get(f"{base}/control/sent/nope/raw", timeout=5).status_code == 404
