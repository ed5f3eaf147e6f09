"""tablet_lending's side of `line.inbound`: account links, and `lending:*` postbacks.

Links come from line_gateway (`line.account.linked` / `unlinked`) and tell reminders where a
participant can be messaged. Postbacks `lending:book?session=ID` and `lending:cancel?session=ID`
book or cancel a follow-up session for the participant the gateway stamped on the tap (not the
link copy: the gateway owns the link) and answer the senior in Japanese; other prefixes belong
to other services and are ignored.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from services.common.events.contracts.line import (
    AccountLinked,
    AccountUnlinked,
    PostbackReceived,
    SendRequested,
)
from services.common.events.envelope import Envelope
from services.common.events.postback_data import PostbackData
from services.common.kafka.handling import Commit
from services.common.logging import get_logger, user_ref
from services.common.store import Tx
from services.tablet_lending.domain import messages
from services.tablet_lending.domain.clock import Clock
from services.tablet_lending.domain.errors import Refused
from services.tablet_lending.metrics import BOOKINGS
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases.outbox import send_line
from services.tablet_lending.usecases.sessions import LineBooking, line_booking

log = get_logger(__name__)

SERVICE = "lending"
ACTIONS = ("book", "cancel")


class LineInboundHandlers:
    def __init__(self, *, db: LendingDb, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def on_account_linked(self, envelope: Envelope[AccountLinked], tx: Tx) -> None:
        # Retried on failure (MongoDB only); the claimed event id makes a redelivery a no-op.
        link = envelope.data
        participant = await self._db.participants.get(link.participant_id, tx)
        if participant is None or participant.erased:
            # Erased, or from another environment: there is nobody to link.
            log.info("link for an unknown participant ignored", ref=user_ref(link.user_id))
            return
        await self._db.links.link(
            tx,
            participant_id=link.participant_id,
            line_user_id=link.user_id,
            linked_at=link.linked_at,
        )

    async def on_account_unlinked(self, envelope: Envelope[AccountUnlinked], tx: Tx) -> None:
        # Retried on failure (MongoDB only); unlinking twice changes nothing.
        unlink = envelope.data
        await self._db.links.unlink(
            tx, participant_id=unlink.participant_id, line_user_id=unlink.user_id
        )

    async def on_postback_received(self, envelope: Envelope[PostbackReceived]) -> Commit | None:
        # Retried on failure: the booking and its reply commit together with the claimed event
        # id, so a redelivered tap neither books twice nor answers twice. Other services' taps
        # change nothing here and open no transaction.
        addressed = PostbackData.parse(envelope.data.data)
        if addressed is None or not addressed.for_service(SERVICE):
            return None
        return Commit(partial(self._book, envelope=envelope, now=self._clock.now()))

    async def _book(self, tx: Tx, *, envelope: Envelope[PostbackReceived], now: datetime) -> None:
        postback = envelope.data
        action, session_id = parse_postback(postback.data)
        if action is None or session_id is None:
            outcome = LineBooking(
                None, Refused("bad_postback", "Unreadable postback.", "読み取れません。")
            )
        else:
            outcome = await line_booking(
                tx,
                db=self._db,
                participant_id=postback.participant_id,
                session_id=session_id,
                cancel=action == "cancel",
                now=now,
            )
        await send_line(
            tx, command=reply(postback, action, outcome), key=str(envelope.id), cause=envelope
        )
        if outcome.refusal is not None:
            result = outcome.refusal.reason
        else:
            result = "cancelled" if action == "cancel" else "booked"
        tx.after_commit(
            BOOKINGS.labels(result).inc,
            partial(
                log.info, "lending postback handled", outcome=result, ref=user_ref(postback.user_id)
            ),
        )


def parse_postback(data: str) -> tuple[str | None, str | None]:
    """ "lending:book?session=S-1" -> ("book", "S-1"); anything malformed -> Nones."""
    parsed = PostbackData.parse(data)
    session = parsed.params.get("session") if parsed else None
    if parsed is None or parsed.action not in ACTIONS or not session:
        return None, None
    return parsed.action, session


def reply(postback: PostbackReceived, action: str | None, outcome: LineBooking) -> SendRequested:
    session = outcome.session
    quick_replies = []
    if outcome.refusal is not None:
        text = messages.booking_refused(outcome.refusal, session)
    elif action == "cancel" and session is not None:
        text = messages.booking_cancelled(session)
    else:
        assert session is not None  # a successful booking always has its session
        text = messages.booking_confirmed(session)
        quick_replies = [messages.cancel_button(session.session_id)]
    return messages.send(
        user_id=postback.user_id,
        text=text,
        purpose="lending.booking",
        quick_replies=quick_replies,
        reply_token=postback.reply_token,
        reply_token_expires_at=postback.reply_token_expires_at,
    )
