"""A mail's attachments on its ticket entry: the kept ones with their hash, the refused ones with
their reason, the same ids for the same mail."""

from __future__ import annotations

import hashlib

from services.helpdesk.domain.mail.parsing import parse_mail
from services.helpdesk.domain.mail.tickets import kept_attachments, mail_entry, mail_request_id
from tests.helpdesk.domain.builders import MONDAY
from tests.helpdesk.mail.samples import binary_part, encoded_word, mail, multipart, text_part

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8
PROGRAM = b"MZ\x90\x00" + b"\x00" * 500


def _mail_with_files() -> bytes:
    pdf_name = encoded_word("診断書.pdf", "UTF-8", "utf-8")
    return mail(
        multipart(
            "mixed",
            [
                text_part("診断書を送ります。"),
                binary_part(
                    PDF,
                    content_type="application/pdf",
                    disposition=f'attachment; filename="{pdf_name}"',
                ),
                binary_part(
                    PROGRAM,
                    content_type="application/octet-stream",
                    disposition='attachment; filename="setup.exe"',
                ),
            ],
        )
    )


def test_the_entry_lists_the_kept_file_with_its_hash_and_the_refused_one_with_its_reason() -> None:
    inbound = parse_mail(_mail_with_files())
    request_id = mail_request_id(inbound, uidvalidity=1, uid=1)
    entry = mail_entry(inbound, request_id=request_id, at=MONDAY)
    assert entry.attachments is not None
    assert entry.refused_parts is not None
    [kept] = entry.attachments
    assert (kept.filename, kept.content_type, kept.size) == (
        "診断書.pdf",
        "application/pdf",
        len(PDF),
    )
    assert kept.sha256 == hashlib.sha256(PDF).hexdigest()
    assert [(r.filename, r.reason) for r in entry.refused_parts] == [("setup.exe", "blocked_type")]
    [(ref, part)] = kept_attachments(inbound, request_id=request_id)
    assert ref == kept
    assert part.data == PDF


def test_the_same_mail_read_twice_gives_the_same_attachment_ids() -> None:
    first = parse_mail(_mail_with_files())
    again = parse_mail(_mail_with_files())
    request_id = mail_request_id(first, uidvalidity=1, uid=1)
    ids = [r.id for r, _ in kept_attachments(first, request_id=request_id)]
    assert ids == [r.id for r, _ in kept_attachments(again, request_id=request_id)]
    other = [r.id for r, _ in kept_attachments(first, request_id="mail:other")]
    assert ids != other


def test_a_mail_without_files_lists_none() -> None:
    inbound = parse_mail(mail(text_part("電源が入りません。")))
    entry = mail_entry(inbound, request_id="mail:x", at=MONDAY)
    assert entry.attachments is None
    assert entry.refused_parts is None
