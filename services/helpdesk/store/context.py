"""The helpdesk's own read models of other services' events: what staff see beside a ticket.

Built from `lending.events` (loans and sessions; ids and dates only, kept by the shared programme
projection, `services/common/programme`) and the recent Dai-chan conversation (`line.inbound`
messages and `line.outbound` Dai-chan answers), which expires after a short retention period.

Which participant a LINE user is belongs to line_gateway, which stamps it on every message: the
helpdesk keeps it only on the senior's turns, so it knows a link exactly as long as it keeps the
conversation that showed it (no link collection of its own; `context_links` is retired).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne, WriteConcern
from pymongo.errors import BulkWriteError

from services.common.programme.projection import ProgrammeProjection
from services.common.programme.views import BookingView, LoanView, SessionView
from services.common.store import CollectionIndexes, MongoStore, Tx
from services.common.store.mongo import ttl_index
from services.common.store.repository import plain

CONVERSATION = "context_conversation"
# The link projection this replaced (from `line.account.linked`/`unlinked`): no longer read or
# written, and no erasure reaches it any more, so what an older release left there expires like
# the conversation does (every document carries `linked_at`). Drop the index with the collection.
RETIRED_LINKS = "context_links"
Document = dict[str, Any]
LOANS_SHOWN = 5
BOOKINGS_SHOWN = 20


@dataclass(frozen=True)
class ConversationTurn:
    """One turn of the conversation beside a ticket, keyed by the event that said it.

    `participant_id`: the stamp of the senior's message (None for Dai-chan's turns).
    """

    turn_id: str
    line_user_id: str
    role: str
    text: str
    at: datetime
    safety: bool = False
    participant_id: str | None = None


class TurnRefused(Exception):
    """mongod refused to file one turn (its error code only: the text may be personal)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"mongod refused the conversation turn (code {code})")
        self.code = code


class ContextRepository:
    def __init__(self, store: MongoStore, *, programme: ProgrammeProjection) -> None:
        self._programme = programme
        self._conversation = store.collection(CONVERSATION)
        # As durable as a transaction's commit: the event is acknowledged to Kafka once filed.
        self._durable_conversation = self._conversation.with_options(
            write_concern=WriteConcern("majority")
        )

    @staticmethod
    def indexes(*, conversation_retention: timedelta) -> list[CollectionIndexes]:
        return [
            CollectionIndexes(RETIRED_LINKS, [ttl_index("linked_at", conversation_retention)]),
            CollectionIndexes(
                CONVERSATION,
                [
                    IndexModel([("line_user_id", ASCENDING), ("at", DESCENDING)], name="user"),
                    IndexModel(
                        [("participant_id", ASCENDING), ("at", DESCENDING)],
                        name="participant",
                        partialFilterExpression={"participant_id": {"$type": "string"}},
                    ),
                    ttl_index("at", conversation_retention),
                ],
            ),
        ]

    # -- who a LINE user is, as the gateway stamped it on their latest message --------------------

    async def participant_of(self, line_user_id: str) -> str | None:
        latest = await self._conversation.find_one(
            {"line_user_id": line_user_id, "role": "senior"},
            projection={"participant_id": 1},
            sort=[("at", DESCENDING)],
        )
        found = latest.get("participant_id") if latest else None
        return str(found) if found else None

    async def line_user_of(self, participant_id: str) -> str | None:
        named = await self._conversation.find_one(
            {"participant_id": participant_id, "role": "senior"},
            projection={"line_user_id": 1},
            sort=[("at", DESCENDING)],
        )
        if named is None:
            return None
        line_user = str(named["line_user_id"])
        # Not if that LINE user wrote since without the link (unlinked, or linked elsewhere).
        return line_user if await self.participant_of(line_user) == participant_id else None

    # -- loans and sessions (the shared projection, shown as staff have always seen them) -----

    async def loans_of(self, participant_id: str) -> list[Document]:
        """The latest few loans, newest first."""
        loans = await self._programme.loans_of(participant_id)
        return [_loan(loan) for loan in reversed(loans[-LOANS_SHOWN:])]

    async def sessions_of(self, participant_id: str) -> list[Document]:
        bookings = await self._programme.bookings_of(participant_id, limit=BOOKINGS_SHOWN)
        sessions = await self._programme.sessions([b.session_id for b in bookings])
        merged = [_booking(b, sessions.get(b.session_id)) for b in bookings]
        return sorted(merged, key=lambda s: str(s.get("starts_at", "")))

    async def forget_participant(self, tx: Tx, *, participant_id: str) -> None:
        await self._conversation.update_many(
            {"participant_id": participant_id},
            {"$unset": {"participant_id": ""}},
            session=tx.session,
        )

    # -- recent conversation -----------------------------------------------------------------

    async def add_turns(self, turns: Sequence[ConversationTurn]) -> list[Exception | None]:
        """File turns in one unordered bulk write, outside any transaction; per turn, None when
        it is written or the reason mongod refused it (the others are written whatever happened
        to those): the outcomes `GroupCommit` hands back to each turn's caller.

        A turn's `_id` is its event's id and it is only ever inserted (`$setOnInsert`), so the
        turn itself is the event's processed mark: writing it again (a redelivery, a retry after
        an error) changes nothing, and there is no separate claim to keep in step with it.
        """
        outcomes: list[Exception | None] = [None] * len(turns)
        if not turns:
            return outcomes
        writes = [
            UpdateOne({"_id": turn.turn_id}, {"$setOnInsert": _stored(turn)}, upsert=True)
            for turn in turns
        ]
        try:
            await self._durable_conversation.bulk_write(writes, ordered=False)
        except BulkWriteError as error:
            if error.details.get("writeConcernErrors") or not error.details.get("writeErrors"):
                raise  # not known to be durable: every turn of the group is retried
            for refused in error.details["writeErrors"]:
                outcomes[int(refused["index"])] = TurnRefused(int(refused.get("code", 0)))
        return outcomes

    async def turn(self, turn_id: str) -> Document | None:
        found: Document | None = await self._conversation.find_one({"_id": turn_id})
        return found

    async def recent_turns(self, line_user_id: str, *, limit: int) -> list[Document]:
        """Both sides, newest first: the message that raised the ticket is at the top."""
        turns: list[Document] = (
            await self._conversation.find(
                {"line_user_id": line_user_id}, {"line_user_id": 0, "participant_id": 0}
            )
            .sort("at", DESCENDING)
            .limit(limit)
            .to_list()
        )
        return turns


def _stored(turn: ConversationTurn) -> Document:
    stored: Document = {
        "line_user_id": turn.line_user_id,
        "role": turn.role,
        "text": turn.text,
        "at": turn.at,
        "safety": turn.safety,
    }
    if turn.participant_id is not None:
        stored["participant_id"] = turn.participant_id
    return stored


def _loan(loan: LoanView) -> Document:
    # "overdue" while an overdue notice stands on an open loan; a closed loan says how it closed.
    state = "overdue" if loan.status == "active" and loan.overdue_stage else loan.status
    values = {
        "_id": loan.loan_id,
        "participant_id": loan.participant_id,
        "cohort_id": loan.cohort_id,
        "device_model": loan.device_model,
        "issued_on": loan.issued_on,
        "due_on": loan.due_on,
        "state": state,
        "closed_on": loan.closed_on,
        "days_overdue": loan.days_overdue
        if loan.status != "active" or loan.overdue_stage
        else None,
        "overdue_stage": loan.overdue_stage,
    }
    return {key: plain(value) for key, value in values.items() if value is not None}


def _booking(booking: BookingView, session: SessionView | None) -> Document:
    shown: Document = {}
    if session is not None:
        shown = session.model_dump(include={"kind", "title", "venue", "starts_at", "ends_at"})
        shown["cancelled"] = session.cancelled
    shown.update(
        _id=f"{booking.session_id}:{booking.participant_id}",
        session_id=booking.session_id,
        participant_id=booking.participant_id,
        booking=booking.booking,
    )
    if booking.booked_at is not None:
        shown["booked_at"] = booking.booked_at
    return shown
