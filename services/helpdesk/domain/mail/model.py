"""What the helpdesk knows about one e-mail once it is read: plain typed values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class MailAddress:
    """One mailbox: the address (domain lower-cased, local part as written) and its name."""

    address: str
    display_name: str = ""

    @property
    def local_part(self) -> str:
        return self.address.rpartition("@")[0]

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


class RefusalReason(StrEnum):
    """Why a part of a mail was not kept (staff see the reason, never the bytes)."""

    TOO_LARGE = "too_large"  # one attachment over the per-file limit
    TOO_MANY = "too_many"  # past the number of attachments kept per mail
    TOTAL_TOO_LARGE = "total_too_large"  # the mail's kept attachments would pass the total limit
    BLOCKED_TYPE = "blocked_type"  # programs and scripts, whatever their declared type
    ENCRYPTED = "encrypted"  # S/MIME or PGP encrypted content the helpdesk cannot read
    MESSAGE_TOO_LARGE = "message_too_large"  # the whole mail: only its headers were read
    UNREADABLE = "unreadable"  # a part the mail parser could not decode at all


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    data: bytes = field(repr=False)
    # Shown inside the HTML (cid: images) rather than attached by the sender.
    inline: bool = False
    content_id: str | None = None


@dataclass(frozen=True)
class RefusedPart:
    filename: str
    content_type: str
    size: int
    reason: RefusalReason


@dataclass(frozen=True)
class MailLimits:
    """Size limits for what one mail may bring in (the SMTP/IMAP side has its own)."""

    max_message_bytes: int = 25 * 1024 * 1024
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_total_attachment_bytes: int = 20 * 1024 * 1024
    max_attachments: int = 10
    # Text past this is cut (with a marker): a ticket thread is for people to read.
    max_text_chars: int = 100_000


@dataclass(frozen=True)
class AutomationSignals:
    """The headers that tell a machine-sent mail from a person's, as found (lower-cased)."""

    auto_submitted: str = ""
    auto_response_suppress: str = ""
    precedence: str = ""
    list_id: str = ""
    list_unsubscribe: bool = False
    # `None`: no Return-Path header; "": the null reverse path `<>` (bounces, RFC 3834 replies).
    return_path: str | None = None
    # Content-Type of the whole mail and its report-type parameter (multipart/report).
    content_type: str = ""
    report_type: str = ""
    # X-Autoreply, X-Autorespond, X-Auto-Reply: set by many vacation responders.
    x_autoreply: bool = False
    x_loop: tuple[str, ...] = ()


@dataclass(frozen=True)
class InboundMail:
    """One received mail as the helpdesk uses it.

    `text` is what the sender wrote in this mail; earlier mail quoted below it, forwarded
    messages and reply headers are in `quoted` (kept for staff, folded away by default).
    `defects` says what had to be guessed or repaired (a wrong charset, a broken header), in
    English, for staff and diagnostics; it never holds the mail's content.
    """

    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    sender: MailAddress | None
    reply_to: tuple[MailAddress, ...]
    to: tuple[MailAddress, ...]
    cc: tuple[MailAddress, ...]
    subject: str
    date: datetime | None
    text: str
    quoted: str
    forwarded: bool
    from_html: bool
    attachments: tuple[Attachment, ...]
    refused: tuple[RefusedPart, ...]
    signals: AutomationSignals
    size: int
    defects: tuple[str, ...] = ()

    @property
    def answer_to(self) -> MailAddress | None:
        """Where a reply goes: the first Reply-To, else the sender."""
        return self.reply_to[0] if self.reply_to else self.sender
