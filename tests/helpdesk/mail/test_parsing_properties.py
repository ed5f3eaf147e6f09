"""Parsing never raises, whatever bytes arrive (property-based, with hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.helpdesk.domain.mail.automation import classify
from services.helpdesk.domain.mail.charsets import decode_bytes
from services.helpdesk.domain.mail.html import html_to_text
from services.helpdesk.domain.mail.model import InboundMail
from services.helpdesk.domain.mail.parsing import parse_mail
from services.helpdesk.domain.mail.quoting import split_quoted
from services.helpdesk.domain.mail.threading import thread_candidates

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER_NAMES = st.sampled_from(
    [
        "From",
        "To",
        "Cc",
        "Reply-To",
        "Subject",
        "Date",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
        "Auto-Submitted",
        "Return-Path",
        "List-Id",
        "MIME-Version",
    ]
)
TOKENS = st.sampled_from(
    [
        b'multipart/mixed; boundary="b"',
        b"multipart/alternative; boundary=b",
        b"multipart/report; report-type=delivery-status; boundary=b",
        b"text/plain; charset=iso-2022-jp",
        b"text/html; charset=shift_jis",
        b'text/plain; charset="x-bogus"',
        b"message/rfc822",
        b"base64",
        b"quoted-printable",
        b"attachment; filename*=utf-8''%E5%86%99",
        b"attachment; filename*0*=iso-2022-jp''%1B%24B; filename*1=x",
        b"=?ISO-2022-JP?B?GyRCLSEbKEI=?=",
        b"=?utf-8?q?=E3=81?=",
        b"=?bogus?x?abc?=",
        b"<a@b>",
        b"\x1b$B$3$s\x1b(B",
        b"\x82\xa0\x82\xa2",
        b"--b\r\n",
        b"--b--\r\n",
        b"\r\n\r\n",
        b"\r\n ",
        b"<",
        b">",
        b"@",
        b";",
        b'"',
    ]
)


def check(mail: InboundMail) -> None:
    assert isinstance(mail.text, str)
    assert isinstance(mail.quoted, str)
    classify(mail, own_addresses={"soudan@helpdesk.example.jp"}, own_domain="helpdesk.example.jp")
    thread_candidates(mail)


@PROPERTY
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(raw):
    check(parse_mail(raw))


@st.composite
def mail_like(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        value = b"".join(draw(st.lists(st.one_of(TOKENS, st.binary(max_size=20)), max_size=6)))
        lines.append(draw(HEADER_NAMES).encode() + b": " + value)
    body = b"".join(draw(st.lists(st.one_of(TOKENS, st.binary(max_size=40)), max_size=20)))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@PROPERTY
@given(mail_like())
def test_mail_shaped_garbage_never_raises(raw):
    check(parse_mail(raw))


@PROPERTY
@given(
    st.binary(max_size=512),
    st.sampled_from(
        [
            None,
            "iso-2022-jp",
            "shift_jis",
            "euc-jp",
            "utf-8",
            "us-ascii",
            "x-bogus",
            "iso-8859-1",
            "utf-16",
        ]
    ),
)
def test_decoding_never_raises(data, label):
    assert isinstance(decode_bytes(data, label).text, str)


@PROPERTY
@given(st.text(max_size=2000))
def test_html_and_quote_splitting_never_raise(text):
    html_to_text(text)
    split = split_quoted(text)
    assert isinstance(split.text, str)


def test_deeply_nested_html_and_mime_do_not_exhaust_the_stack():
    assert html_to_text("<div>" * 20000 + "奥" + "</div>" * 20000) == "奥"
    nested = b"Content-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for depth in range(1, 400):
        nested += (
            f"--b{depth - 1}\r\nContent-Type: multipart/mixed; boundary=b{depth}\r\n\r\n".encode()
        )
    check(parse_mail(nested))
