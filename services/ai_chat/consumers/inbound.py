"""Dai-chan's side of `line.inbound`: answer each senior once, in order, safety first."""

from __future__ import annotations

from services.ai_chat.consumers.recording import OutcomeRecorder
from services.ai_chat.domain.outcome import Inbound, Via
from services.ai_chat.usecases.dialogue import Dialogue
from services.common.events.contracts.line import (
    AudioFetched,
    ConversationMode,
    MessageReceived,
    PostbackReceived,
    UserFollowed,
    UserUnfollowed,
)
from services.common.events.envelope import Envelope
from services.common.kafka.handling import Commit


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
        participant_id=data.participant_id,
        stamped=True,
        reply_token=data.reply_token,
        reply_token_expires_at=data.reply_token_expires_at,
    )


class InboundHandlers:
    """Each senior's event is decided outside any transaction (the model may be called), and what
    was decided is committed once by the framework (`recording.py`)."""

    def __init__(self, *, dialogue: Dialogue, recorder: OutcomeRecorder) -> None:
        self._dialogue = dialogue
        self._recorder = recorder

    async def on_message_received(self, envelope: Envelope[MessageReceived]) -> Commit:
        # Retried on failure: the model is called before the transaction, so a crash after it
        # only means the redelivered event is answered afresh, and answered once.
        message = envelope.data
        if message.message_type == "text" and message.text:
            inbound = _inbound(envelope, via="text", text=message.text)
            outcome = await self._dialogue.on_text(inbound)
        else:
            inbound = _inbound(envelope, via="text", text=None)
            outcome = await self._dialogue.on_non_text(inbound, message.message_type)
        return self._recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)

    async def on_postback_received(self, envelope: Envelope[PostbackReceived]) -> Commit | None:
        # Retried on failure, as above. Another service's button decides nothing here, and
        # deciding it again on a redelivery changes nothing either.
        inbound = _inbound(envelope, via="button", text=None)
        outcome = await self._dialogue.on_postback(inbound, envelope.data.data)
        if outcome is None:
            return None
        return self._recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)

    async def on_audio_fetched(self, envelope: Envelope[AudioFetched]) -> Commit:
        # Retried on failure: transcription is a model call, made before the transaction.
        audio = envelope.data
        inbound = _inbound(envelope, via="voice", text=None)
        outcome = await self._dialogue.on_audio(
            inbound, audio_base64=audio.audio_base64, content_type=audio.content_type
        )
        return self._recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)

    async def on_user_followed(self, envelope: Envelope[UserFollowed]) -> Commit:
        # Retried on failure: the greeting is decided outside, committed once.
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
        return self._recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)

    async def on_user_unfollowed(self, envelope: Envelope[UserUnfollowed]) -> Commit:
        # Retried on failure: decided outside, committed once.
        data = envelope.data
        inbound = Inbound(
            event_id=envelope.id, user_id=data.user_id, sent_at=data.sent_at, via="button"
        )
        outcome = await self._dialogue.on_unfollowed(inbound)
        return self._recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)
