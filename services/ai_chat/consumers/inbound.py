"""Dai-chan's side of `line.inbound`: answer each senior once, in order, safety first."""

from __future__ import annotations

from services.ai_chat.domain.dialogue import Dialogue
from services.ai_chat.domain.outcome import Inbound, Via
from services.ai_chat.domain.recording import OutcomeRecorder
from services.ai_chat.store.seniors import SeniorRepository
from services.common.events.contracts.line import (
    AccountLinked,
    AccountUnlinked,
    AudioFetched,
    ConversationMode,
    MessageReceived,
    PostbackReceived,
    UserFollowed,
    UserUnfollowed,
)
from services.common.events.envelope import Envelope
from services.common.kafka.streams import HandlerContext
from services.common.store import Tx


def _inbound(
    envelope: Envelope[MessageReceived] | Envelope[PostbackReceived] | Envelope[AudioFetched],
    *,
    via: Via,
    text: str | None,
) -> Inbound:
    data = envelope.data
    return Inbound(
        event_id=envelope.id,
        user_id=data.user_id,
        sent_at=data.sent_at,
        via=via,
        text=text,
        human_mode=data.conversation_mode is ConversationMode.HUMAN,
        reply_token=data.reply_token,
        reply_token_expires_at=data.reply_token_expires_at,
    )


class InboundHandlers:
    """Failures are retried (then dead-lettered): model calls happen before the transaction, so a
    crash after one only means the redelivered event is answered afresh, and answered once."""

    def __init__(
        self, *, dialogue: Dialogue, recorder: OutcomeRecorder, seniors: SeniorRepository
    ) -> None:
        self._dialogue = dialogue
        self._recorder = recorder
        self._seniors = seniors

    async def on_message_received(
        self, envelope: Envelope[MessageReceived], ctx: HandlerContext
    ) -> None:
        message = envelope.data
        if message.message_type == "text" and message.text:
            inbound = _inbound(envelope, via="text", text=message.text)
            outcome = await self._dialogue.on_text(inbound)
        else:
            inbound = _inbound(envelope, via="text", text=None)
            outcome = await self._dialogue.on_non_text(inbound, message.message_type)
        await self._recorder.record(ctx, cause=envelope, inbound=inbound, outcome=outcome)

    async def on_postback_received(
        self, envelope: Envelope[PostbackReceived], ctx: HandlerContext
    ) -> None:
        inbound = _inbound(envelope, via="button", text=None)
        outcome = await self._dialogue.on_postback(inbound, envelope.data.data)
        if outcome is not None:
            await self._recorder.record(ctx, cause=envelope, inbound=inbound, outcome=outcome)

    async def on_audio_fetched(self, envelope: Envelope[AudioFetched], ctx: HandlerContext) -> None:
        audio = envelope.data
        inbound = _inbound(envelope, via="voice", text=None)
        outcome = await self._dialogue.on_audio(
            inbound, audio_base64=audio.audio_base64, content_type=audio.content_type
        )
        await self._recorder.record(ctx, cause=envelope, inbound=inbound, outcome=outcome)

    async def on_user_followed(self, envelope: Envelope[UserFollowed], ctx: HandlerContext) -> None:
        data = envelope.data
        inbound = Inbound(
            event_id=envelope.id,
            user_id=data.user_id,
            sent_at=data.sent_at,
            via="button",
            reply_token=data.reply_token,
            reply_token_expires_at=data.reply_token_expires_at,
        )
        outcome = await self._dialogue.on_followed(inbound, is_unblocked=data.is_unblocked)
        await self._recorder.record(ctx, cause=envelope, inbound=inbound, outcome=outcome)

    async def on_user_unfollowed(
        self, envelope: Envelope[UserUnfollowed], ctx: HandlerContext
    ) -> None:
        data = envelope.data
        inbound = Inbound(
            event_id=envelope.id, user_id=data.user_id, sent_at=data.sent_at, via="button"
        )
        outcome = await self._dialogue.on_unfollowed(inbound)
        await self._recorder.record(ctx, cause=envelope, inbound=inbound, outcome=outcome)

    async def on_account_linked(
        self, envelope: Envelope[AccountLinked], ctx: HandlerContext
    ) -> None:
        link = envelope.data

        async def save(tx: Tx) -> None:
            await self._seniors.link(
                tx, user_id=link.user_id, participant_id=link.participant_id, at=link.linked_at
            )

        await ctx.transaction(save)

    async def on_account_unlinked(
        self, envelope: Envelope[AccountUnlinked], ctx: HandlerContext
    ) -> None:
        link = envelope.data

        async def save(tx: Tx) -> None:
            await self._seniors.unlink(tx, user_id=link.user_id, participant_id=link.participant_id)

        await ctx.transaction(save)
