"""Dai-chan's side of `line.inbound`: answer each message once, in order per senior."""

from __future__ import annotations

from uuid import UUID, uuid5

from services.ai_chat.domain.responders import Reply, Responder
from services.ai_chat.metrics import REPLIES, SKIPPED_MESSAGES
from services.ai_chat.store import ConversationRepository, Turn
from services.common.events.contracts.line import (
    ConversationMode,
    MessageReceived,
    SendPriority,
    SendRequested,
    TextMessage,
)
from services.common.events.envelope import Envelope, new_event
from services.common.kafka.streams import HandlerContext
from services.common.kafka.topics import LINE_OUTBOUND
from services.common.store import Tx
from services.common.time import utcnow

SOURCE = "ai_chat"
# Deterministic command ids: the reply to a message has the same id however often it is computed.
REPLY_NAMESPACE = UUID("0c9b8f8e-1f7e-4a8e-b4a4-2f3d0f5a6e21")

NON_TEXT_ANSWERS = {
    "sticker": "スタンプ ありがとう！ かわいいなあ。\n今日は どんな一日やった？",
    "image": "写真 ありがとう！\nごめんな、大ちゃんは まだ 写真を 見られへんねん。どんな写真か 言葉で 教えてくれる？",
    "audio": "声の メッセージ ありがとう！\nごめんな、いまは 聞きとりが できへんねん。文字で 送ってくれる？",
    "video": "動画 ありがとう！\nごめんな、大ちゃんは 動画を 見られへんねん。どんな動画か 教えてくれる？",
    "location": "場所を 教えてくれて ありがとう！\nおでかけ 中かな？ 気をつけてな。",
    "file": "ファイル ありがとう。\nごめんな、大ちゃんは ファイルを 開けへんねん。",
}


def reply_command_id(message_event_id: UUID) -> UUID:
    return uuid5(REPLY_NAMESPACE, str(message_event_id))


class ChatHandlers:
    def __init__(
        self,
        *,
        responder: Responder,
        conversations: ConversationRepository,
        history_turns: int,
    ) -> None:
        self._responder = responder
        self._conversations = conversations
        self._history_turns = history_turns

    async def on_message_received(
        self, envelope: Envelope[MessageReceived], ctx: HandlerContext
    ) -> None:
        # Retried on failure. The model call happens before the transaction; if we crash after it,
        # the redelivered message is answered afresh and only one answer ever commits.
        message = envelope.data
        if message.conversation_mode is ConversationMode.HUMAN:
            # A person at the helpdesk has this conversation; Dai-chan stays silent.
            SKIPPED_MESSAGES.labels("human_mode").inc()
            return
        if message.message_type == "text" and message.text:
            history = await self._conversations.recent(message.user_id, limit=self._history_turns)
            reply = await self._responder.respond(history=history, text=message.text)
        else:
            reply = Reply(NON_TEXT_ANSWERS[message.message_type], "fixed")
        REPLIES.labels(reply.responder, message.message_type).inc()

        command = SendRequested(
            user_id=message.user_id,
            messages=[TextMessage(text=reply.text)],
            reply_token=message.reply_token,
            reply_token_expires_at=message.reply_token_expires_at,
            priority=SendPriority.CONVERSATION,
            purpose="ai_chat.reply",
        )
        now = utcnow()

        async def commit(tx: Tx) -> None:
            if message.text:
                await self._conversations.append(
                    tx,
                    user_id=message.user_id,
                    turns=[
                        Turn(role="senior", text=message.text, at=message.sent_at),
                        Turn(role="daichan", text=reply.text, at=now),
                    ],
                )
            await tx.emit(
                topic=LINE_OUTBOUND,
                key=message.user_id,
                event=new_event(
                    command,
                    source=SOURCE,
                    cause=envelope,
                    event_id=reply_command_id(envelope.id),
                ),
            )

        await ctx.transaction(commit)
