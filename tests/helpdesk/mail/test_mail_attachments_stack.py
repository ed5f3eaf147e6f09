"""A mail's attachments on the real parts: a mail with a Japanese-named PDF and a program, sent
over SMTP and read over IMAPS into a real mongod, keeps the PDF beside its ticket (bytes and
hash), lists the program as refused, keeps one copy when read again after a crash before \\Seen,
and the files take the ticket's purge date when it is closed."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from services.common.events.contracts.helpdesk import TicketStatus
from services.common.store import MongoStore
from services.helpdesk.domain.mail.intake import Action
from services.helpdesk.store import AttachmentStore, MailIntakeLog, TicketRepository
from services.helpdesk.store.attachments import COLLECTION as ATTACHMENTS
from services.helpdesk.store.mail import COLLECTION as MAIL_LOG
from tests.fixtures.mail import LocalMail
from tests.fixtures.waiting import eventually
from tests.helpdesk.domain.builders import TANAKA
from tests.helpdesk.mail.test_mail_intake_stack import FAMILY, Desk
from tools.devstack.stack import Stack

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
PROGRAM = b"MZ\x90\x00" + b"\x00" * 2000


@pytest.fixture
async def desk(infra: Stack, mail_servers: LocalMail) -> AsyncIterator[Desk]:
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid.uuid4().hex[:10]}", app_name="t")
    await store.ensure_indexes(
        [
            *TicketRepository.indexes(),
            MailIntakeLog.indexes(retention=timedelta(days=1)),
            AttachmentStore.indexes(),
        ]
    )
    desk = Desk(store, mail_servers)
    await desk.reader.round()  # mail other tests left unseen is taken and forgotten
    for collection in ("tickets", MAIL_LOG, ATTACHMENTS):
        await store.collection(collection).delete_many({})
    try:
        yield desk
    finally:
        await desk.reader.stop()
        await desk.mailbox.close()
        await store.drop_database()
        await store.close()


def with_files(desk: Desk) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = FAMILY
    message["To"] = desk.servers.address
    message["Subject"] = f"母の診断書 {uuid.uuid4().hex[:8]}"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.ne.jp>"
    message.set_content("診断書を添付します。よろしくお願いします。")
    # As Gmail and iPhones send a Japanese name: RFC 2231 in Content-Disposition.
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="診断書.pdf")
    message.add_attachment(
        PROGRAM, maintype="application", subtype="octet-stream", filename="setup.exe"
    )
    return message.as_bytes()


async def test_a_mail_keeps_its_pdf_beside_the_ticket_and_refuses_the_program(desk: Desk) -> None:
    message_id = desk.send(with_files(desk))
    ticket = await desk.take_until(message_id)
    entry = ticket["thread"][-1]
    [ref] = entry["attachments"]
    assert (ref["filename"], ref["content_type"], ref["size"]) == (
        "診断書.pdf",
        "application/pdf",
        len(PDF),
    )
    assert ref["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert entry["refused_parts"] == [{"filename": "setup.exe", "reason": "blocked_type"}]

    stored = await desk.tickets.attachments.get(ticket_id=ticket["_id"], attachment_id=ref["id"])
    assert stored is not None
    assert stored.data == PDF
    assert await desk.tickets.attachments.get(ticket_id="t-other", attachment_id=ref["id"]) is None
    [doc] = await desk.store.collection(ATTACHMENTS).find().to_list()
    assert doc["ticket_id"] == ticket["_id"]
    assert doc["purge_at"] is None
    assert PROGRAM not in str(ticket).encode()


async def test_a_mail_read_again_after_a_crash_keeps_one_copy(desk: Desk) -> None:
    message_id = desk.send(with_files(desk))
    fetched = await eventually(
        lambda: desk.fetched(message_id), lambda f: f is not None, timeout=2.0, interval=0.1
    )
    assert fetched is not None
    first = await desk.intake.take(fetched)
    assert first.decision.action is Action.NEW_TICKET
    # Died before \Seen: the reader reads it again, and it is taken once more by hand.
    await desk.reader.round()
    again = await desk.intake.take(fetched)
    assert again.decision.action is Action.DUPLICATE
    assert await desk.store.collection(ATTACHMENTS).count_documents({}) == 1


async def test_closing_the_ticket_gives_its_files_the_tickets_purge_date(desk: Desk) -> None:
    message_id = desk.send(with_files(desk))
    found = await desk.take_until(message_id)
    ticket = await desk.tickets.get(found["_id"])
    assert ticket is not None
    resolved = await desk.staff.resolve(
        ticket.id, actor=TANAKA, version=ticket.version, ask_csat=False, closing=False
    )
    [doc] = await desk.store.collection(ATTACHMENTS).find().to_list()
    assert doc["purge_at"] is None  # resolved is not closed: nothing goes yet
    closed = await desk.staff.set_status(
        ticket.id, actor=TANAKA, version=resolved.version, status=TicketStatus.CLOSED
    )
    assert closed.purge_at is not None
    [doc] = await desk.store.collection(ATTACHMENTS).find().to_list()
    # BSON keeps milliseconds; the TTL index removes the file when the ticket goes.
    assert abs(
        doc["purge_at"].replace(tzinfo=closed.purge_at.tzinfo) - closed.purge_at
    ) < timedelta(milliseconds=1)
