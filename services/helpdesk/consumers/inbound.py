"""`line.inbound`: the senior's messages while a person has the conversation, and CSAT answers.

Bot-mode messages are Dai-chan's; the helpdesk only files a short, expiring copy of them as
context for staff (one bulk write shared by concurrent messages, no transaction). Human-mode
messages and taps join the ticket that holds the conversation.
"""

from __future__ import annotations

from functools import partial
from uuid import UUID, uuid5

from services.common.events.contracts.line import (
    ConversationMode,
    MessageReceived,
    PostbackReceived,
    SendPriority,
    SendRequested,
    TextMessage,
)
from services.common.events.envelope import Envelope, new_event
from services.common.events.postback_data import PostbackData
from services.common.kafka.handling import Commit
from services.common.kafka.topics import LINE_OUTBOUND
from services.common.logging import get_logger, user_ref
from services.common.metrics import REJECTED_INPUT
from services.common.store import Tx
from services.helpdesk.consumers.context import ConversationFiling
from services.helpdesk.domain import texts
from services.helpdesk.metrics import CSAT_RESPONSES
from services.helpdesk.store import ConversationTurn
from services.helpdesk.usecases.senior import SeniorWork

log = get_logger(__name__)
THANKS_NAMESPACE = UUID("9b0e3f6c-2d4a-4e1b-b7c8-5a6f7e8d9c01")


def parse_csat(data: str) -> tuple[str, int] | None:
    """ "helpdesk:csat?ticket=ID&score=N" -> (ID, N), or None if it is not a valid answer."""
    parsed = PostbackData.parse(data)
    if parsed is None or (parsed.service, parsed.action) != ("helpdesk", "csat"):
        return None
    ticket = parsed.params.get("ticket", "")
    score = parsed.params.get("score", "")
    if not ticket or not score.isdigit() or not 1 <= int(score) <= 5:
        return None
    return ticket, int(score)


class InboundHandlers:
    def __init__(self, *, senior: SeniorWork, filing: ConversationFiling) -> None:
        self._senior = senior
        self._filing = filing

    async def on_message_received(self, envelope: Envelope[MessageReceived]) -> Commit | None:
        # Retried on failure (MongoDB only). A bot-mode message is filed as a turn keyed by its
        # event, so filing it again changes nothing and it needs no claim or transaction
        # (`consumers/context.py`); one that joins a ticket is committed with its claim, which
        # makes a redelivered message join once.
        message = envelope.data
        text = message.text if message.message_type == "text" and message.text else None
        shown = text or texts.NON_TEXT.get(message.message_type, "（メッセージ）")
        if message.conversation_mode is ConversationMode.BOT:
            await self._filing.file(
                ConversationTurn(
                    turn_id=str(envelope.id),
                    line_user_id=message.user_id,
                    role="senior",
                    text=shown,
                    at=message.sent_at,
                    participant_id=message.participant_id,
                )
            )
            return None
        return Commit(partial(self._joined, envelope=envelope, shown=shown))

    async def _joined(self, tx: Tx, *, envelope: Envelope[MessageReceived], shown: str) -> None:
        message = envelope.data
        outcome = await self._senior.wrote(
            tx,
            envelope=envelope,
            line_user_id=message.user_id,
            participant_id=message.participant_id,
            text=shown,
            sent_at=message.sent_at,
            reply_token=message.reply_token,
            reply_token_expires_at=message.reply_token_expires_at,
        )
        tx.after_commit(
            partial(
                log.info,
                "senior message joined a ticket",
                outcome=outcome,
                user=user_ref(message.user_id),
            ),
        )

    async def on_postback_received(self, envelope: Envelope[PostbackReceived]) -> Commit | None:
        # Retried on failure; the first stored answer wins, so a repeated tap changes nothing.
        # Taps that are not the helpdesk's change nothing here and open no transaction.
        postback = envelope.data
        if postback.data.startswith("helpdesk:"):
            return self._csat(envelope)
        if postback.conversation_mode is not ConversationMode.HUMAN:
            return None  # another service's button, pressed while Dai-chan has the conversation
        return Commit(partial(self._tapped, envelope=envelope))

    async def _tapped(self, tx: Tx, *, envelope: Envelope[PostbackReceived]) -> None:
        postback = envelope.data
        await self._senior.wrote(
            tx,
            envelope=envelope,
            line_user_id=postback.user_id,
            participant_id=postback.participant_id,
            text=f"（ボタンを押しました: {postback.data}）",
            sent_at=postback.sent_at,
            reply_token=postback.reply_token,
            reply_token_expires_at=postback.reply_token_expires_at,
        )

    def _csat(self, envelope: Envelope[PostbackReceived]) -> Commit | None:
        postback = envelope.data
        parsed = parse_csat(postback.data)
        if parsed is None:
            REJECTED_INPUT.labels("helpdesk.postback", "invalid_csat").inc()
            log.info("ignored an unknown helpdesk postback", user=user_ref(postback.user_id))
            return None
        ticket_id, score = parsed
        return Commit(
            partial(self._record_csat, envelope=envelope, ticket_id=ticket_id, score=score)
        )

    async def _record_csat(
        self, tx: Tx, *, envelope: Envelope[PostbackReceived], ticket_id: str, score: int
    ) -> None:
        postback = envelope.data
        recorded = await self._senior.csat(
            tx, ticket_id=ticket_id, line_user_id=postback.user_id, score=score
        )
        if not recorded:
            tx.after_commit(REJECTED_INPUT.labels("helpdesk.postback", "csat_not_accepted").inc)
            return
        thanks = SendRequested(
            user_id=postback.user_id,
            messages=[TextMessage(text=texts.CSAT_THANKS)],
            reply_token=postback.reply_token,
            reply_token_expires_at=postback.reply_token_expires_at,
            priority=SendPriority.SERVICE,
            purpose="helpdesk.csat_thanks",
        )
        await tx.emit(
            topic=LINE_OUTBOUND,
            key=postback.user_id,
            event=new_event(
                thanks,
                source="helpdesk",
                cause=envelope,
                event_id=uuid5(THANKS_NAMESPACE, str(envelope.id)),
            ),
        )
        tx.after_commit(CSAT_RESPONSES.labels(str(score)).inc)
