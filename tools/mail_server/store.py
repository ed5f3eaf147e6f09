"""The mailbox (a maildir Dovecot serves) and the sink of submitted mail (a maildir too).

Delivery adds the trace headers a real final MTA adds (Return-Path, Delivered-To, Received)
above the message exactly as it arrived; a sink entry keeps the envelope on one first line and
the submitted bytes unchanged after it.
"""

from __future__ import annotations

import json
import mailbox
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesHeaderParser
from email.utils import format_datetime
from pathlib import Path

_ENVELOPE = b"X-Sink-Envelope: "
# A maildir's folders (mailbox.Maildir makes them; Dovecot renames files between them).
SUBDIRS = ("tmp", "new", "cur")


@dataclass(frozen=True)
class StoredMail:
    key: str
    received_at: str
    mail_from: str
    rcpt_tos: list[str]
    message_id: str | None
    subject: str
    size: int

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def prepare_maildir(path: Path) -> mailbox.Maildir:
    path.parent.mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(path, factory=None, create=True)


def trace_headers(*, mail_from: str, rcpt: str, peer: str, hostname: str, when: datetime) -> bytes:
    received = (
        f"Received: from {peer} by {hostname} (aiosmtpd) for <{rcpt}>;\r\n"
        f"\t{format_datetime(when)}\r\n"
    )
    return f"Return-Path: <{mail_from}>\r\nDelivered-To: {rcpt}\r\n{received}".encode()


def deliver(maildir: Path, data: bytes) -> str:
    """Put one message into the maildir's new/ (written to tmp/, then moved: atomic)."""
    box = mailbox.Maildir(maildir, factory=None, create=False)
    return str(box.add(data))


def record_sent(sink: Path, *, mail_from: str, rcpt_tos: list[str], data: bytes) -> str:
    envelope = json.dumps(
        {"mail_from": mail_from, "rcpt_tos": rcpt_tos, "at": datetime.now(UTC).isoformat()}
    ).encode()
    return deliver(sink, _ENVELOPE + envelope + b"\r\n" + data)


def _split_sink_entry(data: bytes) -> tuple[dict[str, object], bytes]:
    if not data.startswith(_ENVELOPE):
        return {}, data
    line, _, rest = data.partition(b"\r\n")
    return json.loads(line[len(_ENVELOPE) :]), rest


def _summary(key: str, data: bytes, envelope: dict[str, object], when: float) -> StoredMail:
    headers = BytesHeaderParser(policy=policy.default).parsebytes(data)
    rcpts = envelope.get("rcpt_tos")
    return StoredMail(
        key=key,
        received_at=str(envelope.get("at") or datetime.fromtimestamp(when, UTC).isoformat()),
        mail_from=str(envelope.get("mail_from", "")),
        rcpt_tos=[str(rcpt) for rcpt in rcpts] if isinstance(rcpts, list) else [],
        # Stripped: a long Message-ID is folded onto its own line (" <...>").
        message_id=str(headers["Message-ID"]).strip() if headers["Message-ID"] else None,
        subject=str(headers["Subject"] or "").strip(),
        size=len(data),
    )


def _entries(path: Path) -> list[tuple[str, bytes, float]]:
    box = mailbox.Maildir(path, factory=None, create=False)
    found: list[tuple[str, bytes, float]] = []
    for key in box.iterkeys():
        try:
            data = box.get_bytes(key)
            # The file's modification time: when it was delivered (Dovecot's renames keep it).
            when = box.get_message(key).get_date()
        except (KeyError, FileNotFoundError):
            continue  # moved by Dovecot (new/ -> cur/) or deleted meanwhile
        found.append((key, data, when))
    return sorted(found, key=lambda entry: (entry[2], entry[0]))


def list_sent(sink: Path) -> list[StoredMail]:
    result = []
    for key, data, when in _entries(sink):
        envelope, message = _split_sink_entry(data)
        result.append(_summary(key, message, envelope, when))
    return result


def sent_bytes(sink: Path, key: str) -> bytes | None:
    box = mailbox.Maildir(sink, factory=None, create=False)
    try:
        return _split_sink_entry(box.get_bytes(key))[1]
    except KeyError:
        return None


def clear(path: Path) -> int:
    box = mailbox.Maildir(path, factory=None, create=False)
    keys = list(box.iterkeys())
    for key in keys:
        box.discard(key)
    return len(keys)


def list_mailbox(maildir: Path) -> list[StoredMail]:
    return [_summary(key, data, {}, when) for key, data, when in _entries(maildir)]
