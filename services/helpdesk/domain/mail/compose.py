"""A staff reply as an e-mail: pure, so the same reply always builds the same message.

Plain text only, in UTF-8 (base64, so no relay without 8BITMIME mangles it). Not ISO-2022-JP,
though older Japanese mail used it: it cannot carry what seniors' families write and staff type
every day (丸数字 ①, ㈱, names with IBM extension kanji such as 髙 and 﨑, emoji), its wave dash
and minus map to different Unicode characters depending on the sender's system, and every
mailer in use today (Gmail, iPhone, Outlook, the carriers' mail apps) reads UTF-8.

The Message-ID comes from the reply id (`threading.reply_message_id`), the Date from the time
the reply was recorded: a retried send is the same message, byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from services.helpdesk.domain.mail.model import MailAddress
from services.helpdesk.domain.mail.threading import (
    base_subject,
    check_domain,
    reply_message_id,
    tag_subject,
)

SIGNATURE_SEPARATOR = "-- "
# References keeps the first id (the thread's root) and the newest ones (RFC 5322 3.6.4 lets
# a long chain be shortened); some servers refuse headers past a few kilobytes.
MAX_REFERENCES = 20


@dataclass(frozen=True)
class MailIdentity:
    """Who the helpdesk is in its mail (from settings)."""

    address: str
    display_name: str
    # The domain of our Message-IDs (HELPDESK_MAIL_MESSAGE_ID_DOMAIN).
    message_id_domain: str
    signature: str = ""


def _address(mailbox: MailAddress) -> Address:
    local, _, domain = mailbox.address.rpartition("@")
    return Address(display_name=mailbox.display_name, username=local, domain=domain)


def references_for(parent_message_id: str | None, parent_references: Sequence[str]) -> list[str]:
    """The reply's References: the parent's chain plus the parent, shortened from the middle."""
    parent = [parent_message_id] if parent_message_id else []
    chain = [
        message_id for message_id in dict.fromkeys([*parent_references, *parent]) if message_id
    ]
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return chain


def reply_subject(parent_subject: str, ticket_ref: str | None) -> str:
    subject = base_subject(parent_subject) or "お問い合わせの件"
    subject = f"Re: {subject}"
    return tag_subject(subject, ticket_ref) if ticket_ref else subject


def with_signature(body: str, signature: str) -> str:
    text = body.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    if signature.strip():
        text = f"{text}\n\n{SIGNATURE_SEPARATOR}\n{signature.strip(chr(10))}"
    return f"{text}\n"


def build_reply(
    *,
    reply_id: str,
    identity: MailIdentity,
    to: MailAddress,
    body: str,
    subject: str,
    recorded_at: datetime,
    parent_message_id: str | None = None,
    parent_references: Sequence[str] = (),
    ticket_ref: str | None = None,
) -> EmailMessage:
    """The mail for one staff reply to `to`.

    `subject` is the subject of the mail being answered (it gets "Re:" and the ticket tag),
    `parent_message_id`/`parent_references` that mail's ids (None for a first mail from staff),
    `recorded_at` the aware time the reply was recorded (the Date header).
    """
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    domain = check_domain(identity.message_id_domain)
    message = EmailMessage(policy=policy.SMTP)
    message["Message-ID"] = reply_message_id(reply_id, domain)
    message["Date"] = format_datetime(recorded_at)
    message["From"] = _address(MailAddress(identity.address, identity.display_name))
    message["To"] = _address(to)
    message["Subject"] = reply_subject(subject, ticket_ref)
    if parent_message_id:
        message["In-Reply-To"] = parent_message_id
    references = references_for(parent_message_id, parent_references)
    if references:
        message["References"] = " ".join(references)
    # A person wrote this (RFC 3834): responders may answer it, and it is no loop of ours.
    message["Auto-Submitted"] = "no"
    message["Content-Language"] = "ja"
    text = with_signature(body, identity.signature)
    if text.isascii():
        message.set_content(text, charset="us-ascii", cte="7bit")
    else:
        message.set_content(text, charset="utf-8", cte="base64")
    return message
