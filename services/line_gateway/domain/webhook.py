"""LINE webhook payloads, and how each webhook event becomes a platform event (or is ignored).

Parsing is strict about what we rely on (type, source, ids, timestamps) and tolerant of fields we
do not use, so LINE adding a field never breaks the gateway. Every event type LINE documents is
either turned into a contract or ignored under a named reason, so the metrics say which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.common.events.contracts.line import (
    MAX_POSTBACK_DATA_LENGTH,
    MAX_TEXT_LENGTH,
    ConversationMode,
    MessageReceived,
    MessageType,
    PostbackReceived,
    UserFollowed,
    UserUnfollowed,
)
from services.common.line_text import truncate_utf16, utf16_length

# Bounds on what one event may carry, so every event fits one Kafka record whatever a (signed)
# body holds: ids and tokens far longer than LINE's are refused; a text longer than LINE lets an
# account send (5,000 UTF-16 units) is cut there, keeping the length it had.
MAX_ID_LENGTH = 100
MAX_REPLY_TOKEN_LENGTH = 256
MAX_POSTBACK_PARAMS = 10
MAX_POSTBACK_PARAM_LENGTH = 100


class _Webhook(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Source(_Webhook):
    type: Literal["user", "group", "room"]
    user_id: str | None = Field(
        default=None, alias="userId", min_length=1, max_length=MAX_ID_LENGTH
    )
    group_id: str | None = Field(
        default=None, alias="groupId", min_length=1, max_length=MAX_ID_LENGTH
    )
    room_id: str | None = Field(
        default=None, alias="roomId", min_length=1, max_length=MAX_ID_LENGTH
    )

    @property
    def chat_id(self) -> str | None:
        """Where a reply or push to this chat goes: the group, the room or the user."""
        if self.type == "group":
            return self.group_id
        if self.type == "room":
            return self.room_id
        return self.user_id


class DeliveryContext(_Webhook):
    is_redelivery: bool = Field(alias="isRedelivery")


class WebhookMessage(_Webhook):
    id: str = Field(max_length=MAX_ID_LENGTH)
    type: str = Field(max_length=MAX_ID_LENGTH)
    text: str | None = None
    duration: int | None = Field(default=None, ge=0)


class Follow(_Webhook):
    is_unblocked: bool = Field(default=False, alias="isUnblocked")


class Postback(_Webhook):
    data: str = Field(max_length=MAX_POSTBACK_DATA_LENGTH)
    # Date and time pickers put the chosen value here; rich menu switches their alias.
    params: dict[str, Any] = Field(default_factory=dict, max_length=MAX_POSTBACK_PARAMS)

    @field_validator("params")
    @classmethod
    def _short_params(cls, params: dict[str, Any]) -> dict[str, Any]:
        if any(
            len(str(key)) > MAX_POSTBACK_PARAM_LENGTH or len(str(v)) > MAX_POSTBACK_PARAM_LENGTH
            for key, v in params.items()
        ):
            raise ValueError(f"postback params are at most {MAX_POSTBACK_PARAM_LENGTH} characters")
        return params


# Webhook timestamps are milliseconds since the epoch; past this (2100-01-01) one is not LINE's, and
# from about 10^15 on it is not even a date Python can hold (was a 500).
MAX_TIMESTAMP_MS = 4_102_444_800_000


class WebhookEvent(_Webhook):
    type: str = Field(max_length=MAX_ID_LENGTH)
    mode: Literal["active", "standby"] = "active"
    timestamp: int = Field(ge=0, le=MAX_TIMESTAMP_MS, description="milliseconds since the epoch")
    source: Source | None = None
    webhook_event_id: str = Field(alias="webhookEventId", min_length=1, max_length=MAX_ID_LENGTH)
    delivery_context: DeliveryContext = Field(alias="deliveryContext")
    reply_token: str | None = Field(
        default=None, alias="replyToken", max_length=MAX_REPLY_TOKEN_LENGTH
    )
    message: WebhookMessage | None = None
    follow: Follow | None = None
    postback: Postback | None = None

    @property
    def occurred_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, tz=UTC)


class WebhookBody(_Webhook):
    destination: str = Field(min_length=1)
    events: list[WebhookEvent]


InboundContract = MessageReceived | PostbackReceived | UserFollowed | UserUnfollowed

KNOWN_MESSAGE_TYPES = frozenset({"text", "sticker", "image", "audio", "video", "location", "file"})

# Events LINE sends that this account knowingly does nothing with, and why (the metric's outcome).
IGNORED_EVENTS = {
    # The platform never issues link tokens (linking works with codes from tablet_lending), so an
    # account-link result can only be stale or forged.
    "accountLink": "account_link_unused",
    "unsend": "unsend",  # nothing to take back: Dai-chan's history expires on its own
    "videoPlayComplete": "video_play_complete",  # needs trackingId, which we never set
    "beacon": "beacon",
    "things": "things",
    "membership": "membership",
    "module": "module",
    "activated": "module",
    "deactivated": "module",
    "botSuspended": "module",
    "botResumed": "module",
    "memberJoined": "group_membership",
    "memberLeft": "group_membership",
    "leave": "group_membership",
}


KNOWN_EVENT_TYPES = frozenset(
    {"message", "postback", "follow", "unfollow", "join", *IGNORED_EVENTS}
)


def event_type_label(event_type: str) -> str:
    """The event type as a metric label: LINE's own types, anything else as "other"."""
    return event_type if event_type in KNOWN_EVENT_TYPES else "other"


@dataclass(frozen=True)
class Normalised:
    """A webhook event ready to publish, or the reason it is not published."""

    user_id: str | None
    contract: InboundContract | None
    ignored_because: str | None = None
    # A group or room whose members should get the one-off note (with the reply token, if any).
    group_chat: tuple[str, str] | None = None


def reply_token_expiry(event: WebhookEvent, ttl: timedelta) -> datetime | None:
    return event.occurred_at + ttl if event.reply_token else None


def normalise(
    event: WebhookEvent,
    *,
    mode: ConversationMode,
    reply_token_ttl: timedelta,
    participant_id: str | None = None,
) -> Normalised:
    """`mode` and `participant_id` are the sender's as the gateway knows them now (who answers,
    and the lending participant their LINE is linked to); messages and taps carry both, so no
    reader keeps a copy of either."""
    if event.mode == "standby":
        # Another channel (e.g. a chat tool) is active for this user; we must not answer.
        return Normalised(None, None, "standby")
    if event.type in IGNORED_EVENTS:
        return Normalised(None, None, IGNORED_EVENTS[event.type])
    source = event.source
    if source is None:
        return Normalised(None, None, "no_source")
    if source.type != "user":
        chat_id = source.chat_id
        if chat_id is None:
            return Normalised(None, None, "no_source")
        return Normalised(None, None, "group_chat", group_chat=(chat_id, source.type))
    if not source.user_id:
        return Normalised(None, None, "no_source")
    user_id = source.user_id
    expires = reply_token_expiry(event, reply_token_ttl)
    common: dict[str, Any] = {
        "user_id": user_id,
        "webhook_event_id": event.webhook_event_id,
        "sent_at": event.occurred_at,
    }
    if event.type == "message" and event.message is not None:
        if event.message.type not in KNOWN_MESSAGE_TYPES:
            return Normalised(user_id, None, "unknown_message_type")
        text = event.message.text if event.message.type == "text" else None
        length = utf16_length(text) if text is not None else 0
        return Normalised(
            user_id,
            MessageReceived(
                **common,
                message_id=event.message.id,
                message_type=cast(MessageType, event.message.type),
                text=truncate_utf16(text, MAX_TEXT_LENGTH) if text is not None else None,
                text_truncated_from=length if length > MAX_TEXT_LENGTH else None,
                reply_token=event.reply_token,
                reply_token_expires_at=expires,
                is_redelivery=event.delivery_context.is_redelivery,
                conversation_mode=mode,
                participant_id=participant_id,
                duration_ms=event.message.duration,
            ),
        )
    if event.type == "postback" and event.postback is not None:
        if not event.postback.data:
            return Normalised(user_id, None, "empty_postback")
        return Normalised(
            user_id,
            PostbackReceived(
                **common,
                data=event.postback.data,
                params={k: str(v) for k, v in event.postback.params.items()},
                reply_token=event.reply_token,
                reply_token_expires_at=expires,
                is_redelivery=event.delivery_context.is_redelivery,
                conversation_mode=mode,
                participant_id=participant_id,
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
    # A type LINE added after this was written: acknowledged, counted, not published.
    return Normalised(user_id, None, "unknown_event_type")


@dataclass(frozen=True)
class BodyPlan:
    """What of a run of events to record, as positions in it: the new events in order, and the
    others (already recorded, or earlier in the same run)."""

    fresh: list[int]
    repeated: list[int]


def plan_body(events: list[WebhookEvent], already_accepted: set[str]) -> BodyPlan:
    """The events still to record: each `webhookEventId` once (its first occurrence), none that
    an earlier body recorded. The order is kept, and with it each user's. The events may be one
    body's or several bodies' one after another (a group commit)."""
    seen = set(already_accepted)
    fresh: list[int] = []
    repeated: list[int] = []
    for position, event in enumerate(events):
        if event.webhook_event_id in seen:
            repeated.append(position)
        else:
            seen.add(event.webhook_event_id)
            fresh.append(position)
    return BodyPlan(fresh=fresh, repeated=repeated)
