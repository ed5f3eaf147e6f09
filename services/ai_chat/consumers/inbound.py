"""Dai-chan's side of `line.inbound`: answer each senior once, in order, safety first.

Before deciding, each handler reads the senior and the event's processed mark in one command
(`SeniorRepository.before_answer`): the mark is the claim the framework commits with the answer,
so "found" is "answered", and the routes recognise their own redeliveries (`recognises_redeliveries`
in `services/common/kafka/handling.py`) instead of the framework reading the mark separately. A
redelivered, answered event asks no model and records nothing; two deliveries decided at once are
still told apart by the claim itself when they commit.
"""

from __future__ import annotations

from typing import Any

from services.ai_chat.consumers.recording import OutcomeRecorder
from services.ai_chat.domain.outcome import Inbound, Via
from services.ai_chat.store.seniors import BeforeAnswer, SeniorRepository
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
from services.common.kafka.handling import REDELIVERED, Commit, Redelivered
from services.common.store.processed import ProcessedEvents


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

    def __init__(
        self,
        *,
        dialogue: Dialogue,
        recorder: OutcomeRecorder,
        seniors: SeniorRepository,
        group: str,
    ) -> None:
        self._dialogue = dialogue
        self._recorder = recorder
        self._seniors = seniors
        self._group = group  # the consumer group whose processed mark is read

    async def _before(self, envelope: Envelope[Any], user_id: str) -> BeforeAnswer:
        mark = ProcessedEvents.mark(group=self._group, event_id=envelope.id)
        return await self._seniors.before_answer(user_id, mark=mark)

    async def on_message_received(
        self, envelope: Envelope[MessageReceived]
    ) -> Commit | Redelivered:
        # Retried on failure: the model is called before the transaction, so a crash after it
        # only means the redelivered event is answered afresh, and answered once.
        message = envelope.data
        known = await self._before(envelope, message.user_id)
        if known.handled:
            return REDELIVERED
        if message.message_type == "text" and message.text:
            inbound = _inbound(envelope, via="text", text=message.text)
            outcome = await self._dialogue.on_text(inbound, senior=known.senior)
        else:
            inbound = _inbound(envelope, via="text", text=None)
            outcome = await self._dialogue.on_non_text(
                inbound, message.message_type, senior=known.senior
            )
        return self._recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)

    async def on_postback_received(
        self, envelope: Envelope[PostbackReceived]
    ) -> Commit | Redelivered | None:
        # Retried on failure, as above. Another service's button decides nothing here and reads
        # nothing, and deciding it again on a redelivery changes nothing either.
        if not self._dialogue.answers_button(envelope.data.data):
            return None
        known = await self._before(envelope, envelope.data.user_id)
        if known.handled:
            return REDELIVERED
        inbound = _inbound(envelope, via="button", text=None)
        outcome = await self._dialogue.on_postback(inbound, envelope.data.data, senior=known.senior)
        if outcome is None:
            return None
        return self._recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)

    async def on_audio_fetched(self, envelope: Envelope[AudioFetched]) -> Commit | Redelivered:
        # Retried on failure: transcription is a model call, made before the transaction (and
        # after the read, so that an answered voice message is not transcribed again).
        audio = envelope.data
        known = await self._before(envelope, audio.user_id)
        if known.handled:
            return REDELIVERED
        inbound = _inbound(envelope, via="voice", text=None)
        outcome = await self._dialogue.on_audio(
            inbound,
            audio_base64=audio.audio_base64,
            content_type=audio.content_type,
            senior=known.senior,
        )
        return self._recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)

    async def on_user_followed(self, envelope: Envelope[UserFollowed]) -> Commit | Redelivered:
        # Retried on failure: the greeting is decided outside, committed once.
        data = envelope.data
        known = await self._before(envelope, data.user_id)
        if known.handled:
            return REDELIVERED
        inbound = Inbound(
            event_id=envelope.id,
            user_id=data.user_id,
            sent_at=data.sent_at,
            via="button",
            reply_token=data.reply_token,
            reply_token_expires_at=data.reply_token_expires_at,
        )
        outcome = await self._dialogue.on_followed(
            inbound, is_unblocked=data.is_unblocked, senior=known.senior
        )
        return self._recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)

    async def on_user_unfollowed(self, envelope: Envelope[UserUnfollowed]) -> Commit | Redelivered:
        # Retried on failure: decided outside, committed once.
        data = envelope.data
        known = await self._before(envelope, data.user_id)
        if known.handled:
            return REDELIVERED
        inbound = Inbound(
            event_id=envelope.id, user_id=data.user_id, sent_at=data.sent_at, via="button"
        )
        outcome = await self._dialogue.on_unfollowed(inbound, senior=known.senior)
        return self._recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)
