"""Is this mail from a person? Auto-replies, bounces, lists and our own mail make no ticket.

A vacation responder answering our reply, and us answering it, is a mail loop; a bounce is a
server's report, not a senior's question. The rules follow RFC 3834 (Auto-Submitted, the null
reverse path), RFC 3464/6522 (multipart/report delivery status), RFC 2919 (List-Id), the
de-facto Precedence and Exchange's X-Auto-Response-Suppress, and our own marks: our From
address and our Message-IDs coming back.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from services.helpdesk.domain.mail.model import InboundMail
from services.helpdesk.domain.mail.threading import is_our_message_id

_DAEMON_LOCAL_PARTS = frozenset({"mailer-daemon", "mail-daemon", "mailerdaemon"})
_NO_REPLY_LOCAL_PARTS = frozenset({"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply"})
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})


class MailKind(StrEnum):
    PERSON = "person"  # opens or joins a ticket
    AUTO_REPLY = "auto_reply"  # vacation and other responders, read receipts
    BOUNCE = "bounce"  # delivery status reports, mailer-daemon
    BULK = "bulk"  # lists, newsletters, Precedence: bulk
    LOOP = "loop"  # our own mail coming back
    NO_SENDER = "no_sender"  # no readable From address: nobody to answer


@dataclass(frozen=True)
class MailVerdict:
    kind: MailKind
    # Which rule decided, in English (for logs and metrics; no personal data).
    reason: str

    @property
    def makes_ticket(self) -> bool:
        return self.kind is MailKind.PERSON


def _loop(mail: InboundMail, own: set[str], own_domain: str) -> MailVerdict | None:
    if mail.sender is not None and mail.sender.address in own:
        return MailVerdict(MailKind.LOOP, "from our own address")
    if mail.message_id is not None and is_our_message_id(mail.message_id, own_domain):
        return MailVerdict(MailKind.LOOP, "our own Message-ID")
    if any(address in value for value in mail.signals.x_loop for address in own):
        return MailVerdict(MailKind.LOOP, "X-Loop names us")
    return None


def _report(mail: InboundMail) -> MailVerdict | None:
    signals = mail.signals
    if signals.content_type == "multipart/report":
        if signals.report_type == "delivery-status":
            return MailVerdict(MailKind.BOUNCE, "delivery status report")
        return MailVerdict(MailKind.AUTO_REPLY, f"report ({signals.report_type or 'unknown'})")
    if mail.sender is not None and mail.sender.local_part.lower() in _DAEMON_LOCAL_PARTS:
        return MailVerdict(MailKind.BOUNCE, "mailer-daemon sender")
    return None


def _automatic(mail: InboundMail) -> MailVerdict | None:
    signals = mail.signals
    if signals.auto_submitted and signals.auto_submitted != "no":
        return MailVerdict(MailKind.AUTO_REPLY, f"Auto-Submitted: {signals.auto_submitted}")
    if signals.auto_response_suppress:
        return MailVerdict(MailKind.AUTO_REPLY, "X-Auto-Response-Suppress")
    if signals.x_autoreply:
        return MailVerdict(MailKind.AUTO_REPLY, "X-Autoreply")
    if signals.precedence in _BULK_PRECEDENCE:
        return MailVerdict(MailKind.BULK, f"Precedence: {signals.precedence}")
    if signals.list_id:
        return MailVerdict(MailKind.BULK, "List-Id")
    if signals.list_unsubscribe:
        return MailVerdict(MailKind.BULK, "List-Unsubscribe")
    if signals.return_path == "":
        # The null reverse path: only bounces and automatic answers use it (RFC 3834 3.3).
        return MailVerdict(MailKind.AUTO_REPLY, "null Return-Path")
    if mail.sender is not None and mail.sender.local_part.lower() in _NO_REPLY_LOCAL_PARTS:
        return MailVerdict(MailKind.BULK, "no-reply sender")
    return None


def classify(mail: InboundMail, *, own_addresses: Collection[str], own_domain: str) -> MailVerdict:
    """What kind of sender wrote `mail`; only `PERSON` opens or joins a ticket.

    `own_addresses` are the helpdesk's addresses, `own_domain` the domain of the Message-IDs
    it writes (see `threading.reply_message_id`). Loops are checked first (our own mail must
    never be answered), then reports, then the automatic-mail headers.
    """
    own = {address.lower() for address in own_addresses}
    verdict = _loop(mail, own, own_domain) or _report(mail) or _automatic(mail)
    if verdict is not None:
        return verdict
    if mail.sender is None:
        return MailVerdict(MailKind.NO_SENDER, "no readable From address")
    return MailVerdict(MailKind.PERSON, "person")
