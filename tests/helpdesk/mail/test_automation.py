"""Mail that makes no ticket: bounces, auto-replies, lists, and our own mail coming back."""

from __future__ import annotations

import pytest

from services.helpdesk.domain.mail.automation import MailKind, classify
from services.helpdesk.domain.mail.parsing import parse_mail
from tests.helpdesk.mail.samples import DOMAIN, HELPDESK, encoded_word, mail, text_part

OWN = {HELPDESK}


def verdict(raw: bytes):
    return classify(parse_mail(raw), own_addresses=OWN, own_domain=DOMAIN)


def bounce() -> bytes:
    """A delivery status report as Postfix sends one (RFC 3464), written by hand."""
    notice = "配信できませんでした。".encode("iso2022_jp")
    return (
        b"Return-Path: <>\r\n"
        b"Received: by mx.example.ne.jp (Postfix) id 4ABC; Tue,  1 Dec 2026 10:00:05 +0900\r\n"
        b"Date: Tue,  1 Dec 2026 10:00:05 +0900 (JST)\r\n"
        b"From: MAILER-DAEMON@mx.example.ne.jp (Mail Delivery System)\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"To: soudan@helpdesk.example.jp\r\n"
        b"Auto-Submitted: auto-replied\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status;\r\n"
        b'\tboundary="4ABC.1796160005/mx.example.ne.jp"\r\n'
        b"Message-Id: <20261201010005.4ABC@mx.example.ne.jp>\r\n"
        b"\r\n"
        b"This is a MIME-encapsulated message.\r\n\r\n"
        b"--4ABC.1796160005/mx.example.ne.jp\r\n"
        b"Content-Description: Notification\r\n"
        b"Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n" + notice + b"\r\n\r\n"
        b"--4ABC.1796160005/mx.example.ne.jp\r\n"
        b"Content-Description: Delivery report\r\n"
        b"Content-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.ne.jp\r\n\r\n"
        b"Final-Recipient: rfc822; hanako.tanaka@example.ne.jp\r\n"
        b"Action: failed\r\n"
        b"Status: 5.1.1\r\n\r\n"
        b"--4ABC.1796160005/mx.example.ne.jp\r\n"
        b"Content-Description: Undelivered Message Headers\r\n"
        b"Content-Type: text/rfc822-headers\r\n\r\n"
        b"From: soudan@helpdesk.example.jp\r\n"
        b"Message-ID: <helpdesk-reply.r1@helpdesk.example.jp>\r\n\r\n"
        b"--4ABC.1796160005/mx.example.ne.jp--\r\n"
    )


def test_a_person_makes_a_ticket():
    result = verdict(mail(text_part("タブレットが動きません")))
    assert result.kind is MailKind.PERSON
    assert result.makes_ticket


def test_a_bounce_is_recognised_and_its_text_is_still_readable():
    parsed = parse_mail(bounce())
    result = classify(parsed, own_addresses=OWN, own_domain=DOMAIN)
    assert result.kind is MailKind.BOUNCE
    assert result.reason == "delivery status report"
    assert not result.makes_ticket
    assert parsed.text == "配信できませんでした。"


@pytest.mark.parametrize(
    ("headers", "kind", "reason"),
    [
        ([("Auto-Submitted", "auto-replied")], MailKind.AUTO_REPLY, "Auto-Submitted: auto-replied"),
        (
            [("Auto-Submitted", "auto-generated; owner-email=x@y")],
            MailKind.AUTO_REPLY,
            "Auto-Submitted: auto-generated",
        ),
        ([("X-Auto-Response-Suppress", "All")], MailKind.AUTO_REPLY, "X-Auto-Response-Suppress"),
        ([("X-Autoreply", "yes")], MailKind.AUTO_REPLY, "X-Autoreply"),
        ([("Precedence", "bulk")], MailKind.BULK, "Precedence: bulk"),
        ([("Precedence", "junk")], MailKind.BULK, "Precedence: junk"),
        ([("Precedence", "list")], MailKind.BULK, "Precedence: list"),
        ([("List-Id", "町内会 <chounai.example.jp>")], MailKind.BULK, "List-Id"),
        ([("List-Unsubscribe", "<mailto:off@news.example.jp>")], MailKind.BULK, "List-Unsubscribe"),
        ([("Return-Path", "<>")], MailKind.AUTO_REPLY, "null Return-Path"),
        ([("X-Loop", HELPDESK)], MailKind.LOOP, "X-Loop names us"),
    ],
)
def test_machine_sent_mail_is_recognised_by_its_headers(headers, kind, reason):
    result = verdict(mail(text_part("不在にしております。"), extra_headers=headers))
    assert (result.kind, result.reason) == (kind, reason)
    assert not result.makes_ticket


def test_auto_submitted_no_is_a_person():
    result = verdict(mail(text_part("返信です"), extra_headers=[("Auto-Submitted", "no")]))
    assert result.kind is MailKind.PERSON


def test_an_out_of_office_reply_from_outlook():
    raw = mail(
        text_part("12月3日まで不在です。", label="ISO-2022-JP", codec="iso2022_jp", cte="7bit"),
        subject="自動応答: タブレットの件",
        extra_headers=[
            ("Auto-Submitted", "auto-replied"),
            ("X-Auto-Response-Suppress", "All"),
            ("In-Reply-To", f"<helpdesk-reply.r1@{DOMAIN}>"),
        ],
    )
    assert verdict(raw).kind is MailKind.AUTO_REPLY


def test_our_own_address_and_message_ids_are_loops():
    from_us = mail(
        text_part("x"),
        from_header=f"{encoded_word('相談窓口', 'UTF-8', 'utf-8')} <{HELPDESK.upper()}>",
    )
    assert verdict(from_us).kind is MailKind.LOOP
    ours = mail(text_part("x"), message_id=f"<helpdesk-reply.abc-1@{DOMAIN}>")
    assert (verdict(ours).kind, verdict(ours).reason) == (MailKind.LOOP, "our own Message-ID")


def test_mailer_daemon_and_no_reply_senders():
    daemon = mail(text_part("x"), from_header="<mailer-daemon@mx.example.ne.jp>")
    assert verdict(daemon).kind is MailKind.BOUNCE
    no_reply = mail(text_part("x"), from_header="Shop <no-reply@shop.example.com>")
    assert verdict(no_reply).kind is MailKind.BULK


def test_a_mail_without_a_readable_sender_has_nobody_to_answer():
    raw = mail(text_part("x"), from_header="undisclosed")
    assert verdict(raw).kind is MailKind.NO_SENDER
