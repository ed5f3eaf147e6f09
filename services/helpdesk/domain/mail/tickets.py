"""What a received mail becomes on a ticket: the safety verdict of the shared detector, the
mail's request id (its idempotency key), the thread entry, and the new ticket. Pure.

The request id is a hash of the Message-ID (or, for a mail without one, of the mailbox's
UIDVALIDITY and UID): it sits in the ticket's `request_ids`, whose unique index makes a mail read
twice one entry, and it may travel on Kafka as a ticket's first request id, so it must not
carry the sender's address, which some mailers put into their Message-IDs.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from services.common.safety import Detection
from services.helpdesk.domain.mail.intake import (
    IntakeDecision,
    SafetyRoute,
    SafetyVerdict,
)
from services.helpdesk.domain.mail.model import Attachment, InboundMail
from services.helpdesk.domain.parts import SENIOR, AttachmentRef, Entry, RefusedRef
from services.helpdesk.domain.ticket import NewTicket
from services.helpdesk.domain.tickets import Channel, category_for

REQUEST_PREFIX = "mail:"
# The staff queue shows the summary; the subject is cut there (the whole mail is in the thread).
MAX_SUMMARY_SUBJECT = 60
NO_SUBJECT = "(件名なし)"


def verdict_of(detection: Detection) -> SafetyVerdict:
    """The shared detector's detection as the intake's verdict: the most urgent certain route,
    else the most urgent grey-band one."""
    if detection.routes:
        return SafetyVerdict(SafetyRoute(detection.routes[0].value), certain=True)
    if detection.uncertain:
        return SafetyVerdict(SafetyRoute(detection.uncertain[0].value), certain=False)
    return SafetyVerdict()


def mail_request_id(mail: InboundMail, *, uidvalidity: int, uid: int) -> str:
    key = mail.message_id or f"imap:{uidvalidity}:{uid}"
    return REQUEST_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def sender_address(mail: InboundMail) -> str:
    return mail.sender.address.lower() if mail.sender is not None else ""


def sender_key(address: str) -> str:
    """What the rate limit counts by: a hash of the address, so the intake log keeps none."""
    return hashlib.sha256(address.lower().encode("utf-8")).hexdigest()[:32]


def attachment_id(request_id: str, index: int) -> str:
    """The same for the same mail read twice (one copy kept), and no hint of its content."""
    digest = hashlib.sha256(f"{request_id}:{index}".encode()).hexdigest()[:24]
    return f"att-{digest}"


def kept_attachments(
    mail: InboundMail, *, request_id: str
) -> list[tuple[AttachmentRef, Attachment]]:
    """The mail's accepted attachments, each with the reference its entry lists."""
    return [
        (
            AttachmentRef(
                id=attachment_id(request_id, index),
                filename=part.filename,
                content_type=part.content_type,
                size=len(part.data),
                sha256=hashlib.sha256(part.data).hexdigest(),
            ),
            part,
        )
        for index, part in enumerate(mail.attachments)
    ]


def mail_entry(mail: InboundMail, *, request_id: str, at: datetime) -> Entry:
    """The mail as the requester's entry in the thread: subject, then what they wrote (quoted
    earlier mail is left out; it is already in the thread or was never ours), and the
    attachments kept and refused (names and reasons only; the bytes are kept beside it)."""
    subject = mail.subject.strip() or NO_SUBJECT
    kept = [ref for ref, _part in kept_attachments(mail, request_id=request_id)]
    refused = [RefusedRef(filename=p.filename, reason=p.reason.value) for p in mail.refused]
    return Entry(
        id=request_id,
        kind="senior",
        author=SENIOR.person(),
        text=f"件名: {subject}\n\n{mail.text.strip()}".strip(),
        at=at,
        sent_at=mail.date,
        request_id=request_id,
        attachments=kept or None,
        refused_parts=refused or None,
    )


def summary_of(mail: InboundMail) -> str:
    subject = mail.subject.strip() or NO_SUBJECT
    if len(subject) > MAX_SUMMARY_SUBJECT:
        subject = subject[: MAX_SUMMARY_SUBJECT - 1] + "…"
    return f"メールでのご相談: {subject}"


def new_mail_ticket(mail: InboundMail, decision: IntakeDecision, *, entry: Entry) -> NewTicket:
    """The ticket a mail opens (the decision is a NEW_TICKET one)."""
    if decision.priority is None or decision.request_reason is None:
        raise ValueError("only a decision that opens a ticket opens one")
    return NewTicket(
        channel=Channel.EMAIL,
        category=category_for(decision.request_reason),
        priority=decision.priority,
        summary=summary_of(mail),
        line_user_id=None,
        participant_id=None,
        request_id=entry.request_id,
        follow_up_of=decision.follow_up_of,
        first_entry=entry,
        mail_address=sender_address(mail) or None,
        mail_message_ids=(mail.message_id,) if mail.message_id else (),
        mail_subject=mail.subject.strip() or None,
        unknown_sender=decision.unknown_sender,
    )
