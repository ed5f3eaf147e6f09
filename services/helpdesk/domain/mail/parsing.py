"""A raw RFC 5322 message (bytes, as SMTP or IMAP hands it over) read into an `InboundMail`.

Pure: no I/O, and it never raises. Mail is input anyone can send: whatever the `email` package
or a decoder cannot read becomes a defect note and a default value, never an exception (the
property tests throw arbitrary bytes at it).
"""

from __future__ import annotations

from collections.abc import Callable
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import TypeVar

from services.helpdesk.domain.mail.headers import (
    decode_header_text,
    normalize_message_id,
    parse_addresses,
    parse_date,
    parse_message_ids,
    unfold,
)
from services.helpdesk.domain.mail.model import (
    AutomationSignals,
    InboundMail,
    MailAddress,
    MailLimits,
    RefusalReason,
    RefusedPart,
)
from services.helpdesk.domain.mail.parts import CollectedParts, collect_parts
from services.helpdesk.domain.mail.quoting import split_quoted

DEFAULT_LIMITS = MailLimits()
TRUNCATED_MARK = "\n[…長いため以下を省略しました]"
_T = TypeVar("_T")


class _Headers:
    """The raw header values by lower-cased name, in order."""

    def __init__(self, message: Message) -> None:
        self.values: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            self.values.setdefault(name.lower(), []).append(str(value))

    def first(self, name: str) -> str:
        found = self.values.get(name)
        return found[0] if found else ""

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])


def _safely(defects: list[str], what: str, compute: Callable[[], _T], default: _T) -> _T:
    # The standard library's parser has raised on crafted input before (and a decoder may);
    # mail is anyone's input, so one unreadable piece must not lose the rest.
    try:
        return compute()
    except Exception:
        defects.append(f"{what} could not be read")
        return default


def _token(value: str) -> str:
    return unfold(value).split(";", 1)[0].strip().lower()


def _return_path(headers: _Headers) -> str | None:
    values = headers.all("return-path")
    if not values:
        return None
    # The last delivery's Return-Path is the first header (MTAs prepend).
    value = unfold(values[0]).strip()
    inner = value[1:-1] if value.startswith("<") and value.endswith(">") else value
    return inner.strip().lower()


def _signals(message: Message, headers: _Headers) -> AutomationSignals:
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type") or "").lower()
    return AutomationSignals(
        auto_submitted=_token(headers.first("auto-submitted")),
        auto_response_suppress=_token(headers.first("x-auto-response-suppress")),
        precedence=_token(headers.first("precedence")),
        list_id=unfold(headers.first("list-id")).lower(),
        list_unsubscribe=bool(headers.all("list-unsubscribe")),
        return_path=_return_path(headers),
        content_type=content_type,
        report_type=report_type,
        x_autoreply=any(
            headers.all(name) for name in ("x-autoreply", "x-autorespond", "x-auto-reply")
        ),
        x_loop=tuple(unfold(value).lower() for value in headers.all("x-loop")),
    )


def _addresses(headers: _Headers, name: str, defects: list[str]) -> tuple[MailAddress, ...]:
    values = headers.all(name)
    if not values:
        return ()
    found, broken = parse_addresses(values)
    if broken:
        defects.append(f"{name} header partly unreadable")
    return found


def _header_only(raw: bytes) -> bytes:
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = raw.find(separator)
        if index >= 0:
            return raw[: index + len(separator)]
    return raw[:65536]


def _body(collected: CollectedParts, limits: MailLimits, defects: list[str]) -> str:
    text = "\n\n".join(piece.strip("\n") for piece in collected.texts)
    if len(text) > limits.max_text_chars:
        defects.append(f"text cut at {limits.max_text_chars} characters")
        text = text[: limits.max_text_chars] + TRUNCATED_MARK
    return text


def parse_mail(raw: bytes, limits: MailLimits = DEFAULT_LIMITS) -> InboundMail:
    """Read one raw message. Never raises; what could not be read is in `defects`."""
    defects: list[str] = []
    too_large = len(raw) > limits.max_message_bytes
    source = _header_only(raw) if too_large else raw
    message: EmailMessage = _safely(
        defects,
        "message",
        lambda: BytesParser(policy=policy.default).parsebytes(source),
        EmailMessage(),
    )
    headers = _safely(defects, "headers", lambda: _Headers(message), _Headers(EmailMessage()))
    message_id = normalize_message_id(headers.first("message-id"))
    subject, repaired = _safely(
        defects, "subject", lambda: decode_header_text(headers.first("subject")), ("", False)
    )
    if repaired:
        defects.append("subject charset guessed")
    no_one: tuple[MailAddress, ...] = ()
    senders = _safely(defects, "from", lambda: _addresses(headers, "from", defects), no_one)
    if too_large:
        collected = CollectedParts(
            refused=[RefusedPart("", "message/rfc822", len(raw), RefusalReason.MESSAGE_TOO_LARGE)]
        )
    else:
        collected = _safely(
            defects,
            "body",
            lambda: collect_parts(message, limits),
            CollectedParts(refused=[RefusedPart("", "", 0, RefusalReason.UNREADABLE)]),
        )
    defects.extend(collected.defects)
    split = split_quoted(_body(collected, limits, defects))
    return InboundMail(
        message_id=message_id,
        in_reply_to=parse_message_ids(" ".join(headers.all("in-reply-to"))),
        references=parse_message_ids(" ".join(headers.all("references"))),
        sender=senders[0] if senders else None,
        reply_to=_safely(
            defects, "reply-to", lambda: _addresses(headers, "reply-to", defects), no_one
        ),
        to=_safely(defects, "to", lambda: _addresses(headers, "to", defects), no_one),
        cc=_safely(defects, "cc", lambda: _addresses(headers, "cc", defects), no_one),
        subject=" ".join(subject.split()),
        date=parse_date(headers.first("date")) if headers.first("date") else None,
        text=split.text,
        quoted=split.quoted,
        forwarded=split.forwarded,
        from_html=collected.from_html,
        attachments=tuple(collected.attachments),
        refused=tuple(collected.refused),
        signals=_safely(
            defects, "signals", lambda: _signals(message, headers), AutomationSignals()
        ),
        size=len(raw),
        defects=tuple(dict.fromkeys(defects)),
    )
