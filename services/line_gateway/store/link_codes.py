"""One-time account-link codes (a read model of `lending.link_code.issued`) and link attempts.

Only the keyed digest of a code is known here (services.common.link_codes), and it is the
document's id: a typed code is found by computing its digest and reading one document, never by
scanning the codes on record. Used and expired codes are kept for a while so a senior who types
one can be told why it does not work; attempts are kept for the brute-force window only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import IndexModel

from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import ttl_index
from services.line_gateway.domain.linking import LinkCode

CODES = "link_codes"
ATTEMPTS = "link_attempts"
ATTEMPT_RETENTION = timedelta(days=1)


class LinkCodeRepository:
    def __init__(self, store: MongoStore) -> None:
        self._codes = store.collection(CODES)
        self._attempts = store.collection(ATTEMPTS)

    @staticmethod
    def indexes(*, code_retention: timedelta) -> list[CollectionIndexes]:
        return [
            CollectionIndexes(
                CODES,
                [
                    # Gone a while after expiry; until then "expired" can be told from "wrong".
                    ttl_index("expires_at", code_retention, name="expired_ttl"),
                    IndexModel([("participant_id", 1)], name="participant"),
                ],
            ),
            CollectionIndexes(
                ATTEMPTS,
                [
                    IndexModel([("user_id", 1), ("at", 1)], name="user_at"),
                    # Longer than any sensible brute-force window; fixed, so changing the window
                    # setting never conflicts with the existing index.
                    ttl_index("at", ATTEMPT_RETENTION, name="at_ttl"),
                ],
            ),
        ]

    async def issue(
        self,
        tx: Tx,
        *,
        code_digest: str,
        participant_id: str,
        expires_at: datetime,
        issued_at: datetime,
    ) -> None:
        # A new code for a participant replaces any earlier code not yet used.
        await self._codes.update_many(
            {"participant_id": participant_id, "used_at": None, "superseded_at": None},
            {"$set": {"superseded_at": issued_at}},
            session=tx.session,
        )
        await self._codes.update_one(
            {"_id": code_digest},
            {
                "$setOnInsert": {
                    "participant_id": participant_id,
                    "expires_at": expires_at,
                    "issued_at": issued_at,
                    "used_at": None,
                    "superseded_at": None,
                }
            },
            upsert=True,
            session=tx.session,
        )

    async def find(self, tx: Tx, *, code_digest: str) -> LinkCode | None:
        """The code with this digest, if one was issued (one read by id)."""
        doc = await self._codes.find_one({"_id": code_digest}, session=tx.session)
        return LinkCode.model_validate({**doc, "code_digest": doc["_id"]}) if doc else None

    async def mark_used(self, tx: Tx, *, code_digest: str, at: datetime) -> None:
        await self._codes.update_one(
            {"_id": code_digest}, {"$set": {"used_at": at}}, session=tx.session
        )

    async def forget_participant(self, tx: Tx, *, participant_id: str) -> None:
        await self._codes.delete_many({"participant_id": participant_id}, session=tx.session)

    # -- attempts ------------------------------------------------------------------------------

    async def failures_since(self, tx: Tx, *, user_id: str, since: datetime) -> int:
        return await self._attempts.count_documents(
            {"user_id": user_id, "at": {"$gte": since}, "failed": True}, session=tx.session
        )

    async def record_attempt(
        self, tx: Tx, *, user_id: str, at: datetime, outcome: str, failed: bool
    ) -> None:
        await self._attempts.insert_one(
            {"user_id": user_id, "at": at, "outcome": outcome, "failed": failed},
            session=tx.session,
        )
