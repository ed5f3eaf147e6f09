"""LINE webhook payloads, and how each webhook event becomes a platform event (or is ignored).

Parsing is strict about what we rely on (type, source, ids, timestamps) and tolerant of fields we
do not use, so LINE adding a field never breaks the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from services.common.events.contracts.line import (
    ConversationMode,
    MessageReceived,
    MessageType,
    UserFollowed,
    UserUnfollowed,
)


class _Webhook(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Source(_Webhook):
    type: Literal["user", "group", "room"]
    user_id: str | None = Field(default=None, alias="userId")
    group_id: str | None = Field(default=None, alias="groupId")
    room_id: str | None = Field(default=None, alias="roomId")


class DeliveryContext(_Webhook):
    is_redelivery: bool = Field(alias="isRedelivery")


class WebhookMessage(_Webhook):
    id: str
    type: str
    text: str | None = None


class Follow(_Webhook):
    is_unblocked: bool = Field(default=False, alias="isUnblocked")


class WebhookEvent(_Webhook):
    type: str
    mode: Literal["active", "standby"] = "active"
    timestamp: int = Field(ge=0, description="milliseconds since the epoch")
    source: Source | None = None
    webhook_event_id: str = Field(alias="webhookEventId", min_length=1)
    delivery_context: DeliveryContext = Field(alias="deliveryContext")
    reply_token: str | None = Field(default=None, alias="replyToken")
    message: WebhookMessage | None = None
    follow: Follow | None = None

    @property
    def occurred_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, tz=UTC)


class WebhookBody(_Webhook):
    destination: str = Field(min_length=1)
    events: list[WebhookEvent]


InboundContract = MessageReceived | UserFollowed | UserUnfollowed

KNOWN_MESSAGE_TYPES = {"text", "sticker", "image", "audio", "video", "location", "file"}


@dataclass(frozen=True)
class Normalised:
    """A webhook event ready to publish, or the reason it is not published."""

    user_id: str | None
    contract: InboundContract | None
    ignored_because: str | None = None


def normalise(
    event: WebhookEvent, *, mode: ConversationMode, reply_token_ttl: timedelta
) -> Normalised:
    if event.mode == "standby":
        # Another channel (e.g. a chat tool) is active for this user; we must not answer.
        return Normalised(None, None, "standby")
    if event.source is None or event.source.type != "user" or not event.source.user_id:
        return Normalised(None, None, "not_a_user_chat")
    user_id = event.source.user_id
    expires = event.occurred_at + reply_token_ttl if event.reply_token else None
    common: dict[str, Any] = {
        "user_id": user_id,
        "webhook_event_id": event.webhook_event_id,
        "sent_at": event.occurred_at,
    }
    if event.type == "message" and event.message is not None:
        if event.message.type not in KNOWN_MESSAGE_TYPES:
            return Normalised(user_id, None, "unknown_message_type")
        return Normalised(
            user_id,
            MessageReceived(
                **common,
                message_id=event.message.id,
                message_type=cast(MessageType, event.message.type),
                text=event.message.text if event.message.type == "text" else None,
                reply_token=event.reply_token,
                reply_token_expires_at=expires,
                is_redelivery=event.delivery_context.is_redelivery,
                conversation_mode=mode,
            ),
        )
    if event.type == "follow":
        return Normalised(
            user_id,
            UserFollowed(
                **common,
                reply_token=event.reply_token,
                reply_token_expires_at=expires,
                is_unblocked=bool(event.follow and event.follow.is_unblocked),
            ),
        )
    if event.type == "unfollow":
        return Normalised(user_id, UserUnfollowed(**common))
    return Normalised(user_id, None, f"unhandled_{event.type}")
