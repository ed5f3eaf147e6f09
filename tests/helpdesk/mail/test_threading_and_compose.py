"""Our Message-IDs, which mail a reply answers, and the staff reply as a mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser

import pytest

from services.helpdesk.domain.mail.compose import MAX_REFERENCES, MailIdentity, build_reply
from services.helpdesk.domain.mail.model import MailAddress
from services.helpdesk.domain.mail.parsing import parse_mail
from services.helpdesk.domain.mail.threading import (
    base_subject,
    find_thread,
    is_our_message_id,
    reply_id_of,
    reply_message_id,
    tag_subject,
    thread_candidates,
    ticket_ref_in_subject,
)
from tests.helpdesk.mail.samples import DOMAIN, HELPDESK, SENDER_ADDRESS, mail, text_part

IDENTITY = MailIdentity(
    address=HELPDESK,
    display_name="スマートシニアライフ 相談窓口",
    message_id_domain=DOMAIN,
    signature="大阪府 スマートシニアライフ 相談窓口\nこのメールにそのまま返信できます。",
)
REPLY_ID = "0f8c1a52-7d1e-4a57-9b43-2f7c7e8a9d10"
RECORDED = datetime(2026, 12, 1, 10, 30, tzinfo=timezone(timedelta(hours=9)))


def test_our_message_ids_are_deterministic_and_recognised():
    first = reply_message_id(REPLY_ID, DOMAIN)
    assert first == reply_message_id(REPLY_ID.upper(), DOMAIN.upper())
    assert first == f"<helpdesk-reply.{REPLY_ID}@{DOMAIN}>"
    assert is_our_message_id(first, DOMAIN)
    assert reply_id_of(first, DOMAIN) == REPLY_ID
    assert not is_our_message_id(first, "other.example.jp")
    assert not is_our_message_id(f"<{REPLY_ID}@{DOMAIN}>", DOMAIN)
    assert not is_our_message_id("<abc@example.ne.jp>", DOMAIN)
    with pytest.raises(ValueError, match="reply id"):
        reply_message_id("ticket:1/reply", DOMAIN)
    with pytest.raises(ValueError, match="mail domain"):
        reply_message_id(REPLY_ID, "not a domain")


def test_thread_candidates_put_the_parent_first_then_the_chain_from_the_newest():
    raw = mail(
        text_part("返信"),
        extra_headers=[
            ("In-Reply-To", "<parent@example.ne.jp>"),
            ("References", "<root@example.ne.jp> <middle@x.jp>\r\n <parent@example.ne.jp>"),
        ],
    )
    candidates = thread_candidates(parse_mail(raw))
    assert candidates == ("<parent@example.ne.jp>", "<middle@x.jp>", "<root@example.ne.jp>")
    known = {"<root@example.ne.jp>": "ticket-1", "<middle@x.jp>": "ticket-2"}
    assert find_thread(candidates, known) == "ticket-2"
    assert find_thread(candidates, {}) is None


def test_ids_without_brackets_or_with_commas_are_still_read():
    raw = mail(
        text_part("返信"),
        extra_headers=[
            ("In-Reply-To", "parent@example.ne.jp"),
            ("References", "<a@x.jp>,<b@x.jp>"),
        ],
    )
    parsed = parse_mail(raw)
    assert parsed.in_reply_to == ("<parent@example.ne.jp>",)
    assert parsed.references == ("<a@x.jp>", "<b@x.jp>")


def test_subject_tag_survives_reply_prefixes():
    tagged = tag_subject("Re: タブレットの件", "H-20261201-0042")
    assert tagged == "Re: タブレットの件 [SSL#H-20261201-0042]"
    assert tag_subject(tagged, "H-20261201-0042") == tagged
    assert ticket_ref_in_subject(f"返信: RE: {tagged}") == "H-20261201-0042"
    assert ticket_ref_in_subject("Re: タブレットの件") is None
    assert base_subject("Re: RE[2]: Fwd: 返信：タブレット") == "タブレット"


def test_a_staff_reply_threads_signs_and_reads_back():
    message = build_reply(
        reply_id=REPLY_ID,
        identity=IDENTITY,
        to=MailAddress(SENDER_ADDRESS, "田中 花子"),
        body="田中様\r\n\r\nお問い合わせありがとうございます。①から順にお試しください。",
        subject="RE: タブレットの件",
        recorded_at=RECORDED,
        parent_message_id="<parent@example.ne.jp>",
        parent_references=["<root@example.ne.jp>", "<parent@example.ne.jp>"],
        ticket_ref="H-0042",
    )
    raw = message.as_bytes()
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert message["Message-ID"] == reply_message_id(REPLY_ID, DOMAIN)
    assert message["In-Reply-To"] == "<parent@example.ne.jp>"
    assert message["References"] == "<root@example.ne.jp> <parent@example.ne.jp>"
    assert message["Auto-Submitted"] == "no"
    assert message["Date"] == "Tue, 01 Dec 2026 10:30:00 +0900"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Content-Transfer-Encoding"] == "base64"
    assert all(line.isascii() and len(line) <= 998 for line in raw.split(b"\r\n"))
    # What the family's mailer reads, through our own parser.
    parsed = parse_mail(raw)
    assert parsed.subject == "Re: タブレットの件 [SSL#H-0042]"
    assert parsed.sender == MailAddress(HELPDESK, "スマートシニアライフ 相談窓口")
    assert parsed.to == (MailAddress(SENDER_ADDRESS, "田中 花子"),)
    assert parsed.text == (
        "田中様\n\nお問い合わせありがとうございます。①から順にお試しください。\n\n-- \n"
        "大阪府 スマートシニアライフ 相談窓口\nこのメールにそのまま返信できます。"
    )
    assert parsed.date == RECORDED


def test_the_same_reply_builds_the_same_bytes():
    def build() -> bytes:
        return build_reply(
            reply_id=REPLY_ID,
            identity=IDENTITY,
            to=MailAddress(SENDER_ADDRESS),
            body="同じ返信",
            subject="質問",
            recorded_at=RECORDED,
        ).as_bytes()

    assert build() == build()
    parsed = BytesParser(policy=policy.default).parsebytes(build())
    assert parsed["Subject"] == "Re: 質問"
    assert parsed["In-Reply-To"] is None
    assert parsed["References"] is None


def test_long_reference_chains_keep_the_root_and_the_newest():
    chain = [f"<m{number}@x.jp>" for number in range(40)]
    message = build_reply(
        reply_id=REPLY_ID,
        identity=IDENTITY,
        to=MailAddress(SENDER_ADDRESS),
        body="x",
        subject="s",
        recorded_at=RECORDED,
        parent_message_id="<parent@x.jp>",
        parent_references=chain,
    )
    references = str(message["References"]).split()
    assert len(references) == MAX_REFERENCES
    assert references[0] == "<m0@x.jp>"
    assert references[-2:] == ["<m39@x.jp>", "<parent@x.jp>"]


def test_an_ascii_reply_is_7bit_and_a_naive_time_is_refused():
    message = build_reply(
        reply_id=REPLY_ID,
        identity=MailIdentity(HELPDESK, "Helpdesk", DOMAIN),
        to=MailAddress(SENDER_ADDRESS),
        body="Thank you.",
        subject="Question",
        recorded_at=datetime(2026, 12, 1, 1, 30, tzinfo=UTC),
    )
    assert message["Content-Transfer-Encoding"] == "7bit"
    with pytest.raises(ValueError, match="timezone-aware"):
        build_reply(
            reply_id=REPLY_ID,
            identity=IDENTITY,
            to=MailAddress(SENDER_ADDRESS),
            body="x",
            subject="s",
            recorded_at=datetime(2026, 12, 1, 10, 30),
        )
