"""Test mail as a family member's mailer would send it, over real SMTP to the local endpoint."""

from __future__ import annotations

import base64
import smtplib
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import format_datetime, make_msgid

CHARSETS = ("utf-8", "iso-2022-jp", "shift_jis")


def _encoded_word(text: str, label: str, codec: str) -> str:
    return f"=?{label}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def compose_test_mail(
    *,
    to: str,
    subject: str,
    body: str,
    sender: str = "hanako.tanaka@example.ne.jp",
    sender_name: str = "田中 花子",
    charset: str = "utf-8",
    in_reply_to: str | None = None,
) -> bytes:
    """A mail in `charset`: UTF-8 as Gmail or an iPhone writes it; ISO-2022-JP (7bit) and
    Shift_JIS (base64), with encoded-word headers in the same charset, as older Japanese
    mailers do."""
    if charset not in CHARSETS:
        raise ValueError(f"charset must be one of {', '.join(CHARSETS)}")
    domain = sender.rpartition("@")[2] or "example.ne.jp"
    message: Message
    if charset == "utf-8":
        modern = EmailMessage(policy=policy.SMTP)
        local, _, host = sender.rpartition("@")
        modern["From"] = Address(display_name=sender_name, username=local, domain=host)
        modern["To"] = to
        modern["Subject"] = subject
        modern.set_content(body)
        message = modern
    else:
        label, codec = (
            ("ISO-2022-JP", "iso2022_jp") if charset == "iso-2022-jp" else ("Shift_JIS", "cp932")
        )
        # Lines end in CRLF, the last one too (SMTP's DATA would add it otherwise).
        lines = body if body.endswith("\n") else body + "\n"
        data = lines.replace("\n", "\r\n").encode(codec)
        message = Message(policy=policy.compat32)
        message["From"] = f"{_encoded_word(sender_name, label, codec)} <{sender}>"
        message["To"] = to
        message["Subject"] = _encoded_word(subject, label, codec)
        message["MIME-Version"] = "1.0"
        message["Content-Type"] = f'text/plain; charset="{label}"'
        if charset == "iso-2022-jp":
            message["Content-Transfer-Encoding"] = "7bit"
            message.set_payload(data.decode("ascii"))
        else:
            message["Content-Transfer-Encoding"] = "base64"
            message.set_payload(base64.encodebytes(data).decode("ascii"))
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=domain)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def send(
    raw: bytes,
    *,
    host: str,
    port: int,
    mail_from: str,
    rcpt_tos: list[str],
    timeout: float = 10.0,
) -> None:
    """One SMTP transaction to the local incoming endpoint (no TLS needed on loopback)."""
    with smtplib.SMTP(host, port, timeout=timeout) as client:
        client.sendmail(mail_from, rcpt_tos, raw)
