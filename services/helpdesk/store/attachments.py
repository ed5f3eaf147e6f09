"""The attachments kept from mail: one document per file, beside its ticket.

The bytes are stored as BSON binary: a file is at most `MailLimits.max_attachment_bytes`
(10 MiB), well under MongoDB's 16 MiB document limit, so GridFS's chunking would buy nothing and
its two collections would have to be kept in step inside the intake's transaction. The `_id` is
the entry's attachment id, made from the mail's request id, so a mail read twice keeps one copy.

Attachments are personal data like the ticket's thread: they carry the ticket's `purge_at`
(set in the transaction that closes the ticket) and a TTL index takes them with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import Binary
from pymongo import ASCENDING, IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import ttl_index
from services.helpdesk.domain.mail.model import Attachment
from services.helpdesk.domain.parts import AttachmentRef

COLLECTION = "mail_attachments"


@dataclass(frozen=True)
class StoredAttachment:
    ref: AttachmentRef
    data: bytes


class AttachmentStore:
    def __init__(self, store: MongoStore) -> None:
        self._collection = store.collection(COLLECTION)

    @staticmethod
    def indexes() -> CollectionIndexes:
        return CollectionIndexes(
            COLLECTION,
            [
                IndexModel([("ticket_id", ASCENDING)], name="ticket"),
                ttl_index("purge_at", timedelta(0)),
            ],
        )

    async def keep(
        self,
        tx: Tx,
        *,
        ticket_id: str,
        entry_id: str,
        files: list[tuple[AttachmentRef, Attachment]],
        at: datetime,
        purge_at: datetime | None,
    ) -> None:
        if not files:
            return
        docs: list[dict[str, Any]] = [
            {
                "_id": ref.id,
                "ticket_id": ticket_id,
                "entry_id": entry_id,
                "filename": ref.filename,
                "content_type": ref.content_type,
                "size": ref.size,
                "sha256": ref.sha256,
                "data": Binary(part.data),
                "at": at,
                "purge_at": purge_at,
            }
            for ref, part in files
        ]
        await self._collection.insert_many(docs, session=tx.session)

    async def purge_with_ticket(self, tx: Tx, ticket_id: str, purge_at: datetime | None) -> None:
        await self._collection.update_many(
            {"ticket_id": ticket_id}, {"$set": {"purge_at": purge_at}}, session=tx.session
        )

    async def get(self, *, ticket_id: str, attachment_id: str) -> StoredAttachment | None:
        """The attachment if it belongs to that ticket (another ticket's id finds nothing)."""
        doc = await self._collection.find_one({"_id": attachment_id, "ticket_id": ticket_id})
        if doc is None:
            return None
        ref = AttachmentRef(
            id=doc["_id"],
            filename=doc["filename"],
            content_type=doc["content_type"],
            size=doc["size"],
            sha256=doc["sha256"],
        )
        return StoredAttachment(ref=ref, data=bytes(doc["data"]))

    async def count_for(self, ticket_id: str) -> int:
        return await self._collection.count_documents({"ticket_id": ticket_id})
