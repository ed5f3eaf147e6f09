"""How each kind of webhook event is normalised (or knowingly ignored)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.common.events.contracts.line import (
    ConversationMode,
    MessageReceived,
    PostbackReceived,
    UserFollowed,
    UserUnfollowed,
)
from services.line_gateway.domain.webhook import (
    WebhookEvent,
    event_type_label,
    normalise,
)

USER = "U" + "1" * 32
TTL = timedelta(seconds=50)


def event(event_type: str, **fields: Any) -> WebhookEvent:
    raw: dict[str, Any] = {
        "type": event_type,
        "mode": "active",
        "timestamp": 1_764_000_000_000,
        "source": {"type": "user", "userId": USER},
        "webhookEventId": "01TEST",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": "r" * 32,
    }
    raw.update(fields)
    return WebhookEvent.model_validate(raw)


def test_messages_keep_their_type_mode_and_reply_token_expiry() -> None:
    found = normalise(
        event("message", message={"id": "9", "type": "audio", "duration": 4200}),
        mode=ConversationMode.HUMAN,
        reply_token_ttl=TTL,
    )
    message = found.contract
    assert isinstance(message, MessageReceived)
    assert (message.message_type, message.duration_ms) == ("audio", 4200)
    assert message.conversation_mode is ConversationMode.HUMAN
    assert message.reply_token_expires_at == message.sent_at + TTL


def test_postbacks_carry_data_and_picker_params() -> None:
    found = normalise(
        event("postback", postback={"data": "daichan:talk", "params": {"date": "2025-06-01"}}),
        mode=ConversationMode.BOT,
        reply_token_ttl=TTL,
    ).contract
    assert isinstance(found, PostbackReceived)
    assert (found.data, found.params) == ("daichan:talk", {"date": "2025-06-01"})


def test_follow_and_unfollow() -> None:
    followed = normalise(
        event("follow", follow={"isUnblocked": True}),
        mode=ConversationMode.BOT,
        reply_token_ttl=TTL,
    ).contract
    unfollowed = normalise(
        event("unfollow", replyToken=None), mode=ConversationMode.BOT, reply_token_ttl=TTL
    ).contract
    assert isinstance(followed, UserFollowed)
    assert followed.is_unblocked
    assert isinstance(unfollowed, UserUnfollowed)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            event("message", mode="standby", message={"id": "1", "type": "text", "text": "x"}),
            "standby",
        ),
        (event("accountLink", link={"result": "ok", "nonce": "n"}), "account_link_unused"),
        (event("unsend", unsend={"messageId": "1"}), "unsend"),
        (event("memberJoined"), "group_membership"),
        (event("message", message={"id": "1", "type": "hologram"}), "unknown_message_type"),
        (event("brandNewThing"), "unknown_event_type"),
    ],
)
def test_ignored_events_say_why(raw: WebhookEvent, reason: str) -> None:
    found = normalise(raw, mode=ConversationMode.BOT, reply_token_ttl=TTL)
    assert found.contract is None
    assert found.ignored_because == reason


def test_group_and_room_events_ask_for_the_note() -> None:
    group = normalise(
        event("join", source={"type": "group", "groupId": "C1"}),
        mode=ConversationMode.BOT,
        reply_token_ttl=TTL,
    )
    room = normalise(
        event(
            "message",
            source={"type": "room", "roomId": "R1", "userId": USER},
            message={"id": "1", "type": "text", "text": "x"},
        ),
        mode=ConversationMode.BOT,
        reply_token_ttl=TTL,
    )
    assert group.group_chat == ("C1", "group")
    assert room.group_chat == ("R1", "room")
    assert group.contract is None


def test_event_type_labels_stay_few() -> None:
    assert event_type_label("message") == "message"
    assert event_type_label("x" * 200) == "other"


@pytest.mark.parametrize("timestamp", [10**15, 2**63, -1])
def test_timestamps_outside_any_real_date_are_refused(timestamp: int) -> None:
    with pytest.raises(ValidationError, match="timestamp"):
        event("unfollow", timestamp=timestamp)


def test_a_text_longer_than_line_allows_is_cut_there_and_says_so() -> None:
    long_text = "あ" * 400_000 + "😀"
    normalised = normalise(
        event("message", message={"id": "1", "type": "text", "text": long_text}),
        mode=ConversationMode.BOT,
        reply_token_ttl=TTL,
    )
    received = normalised.contract
    assert isinstance(received, MessageReceived)
    assert received.text == "あ" * 5000
    assert received.text_truncated_from == 400_002
    short = normalise(
        event("message", message={"id": "2", "type": "text", "text": "こんにちは"}),
        mode=ConversationMode.BOT,
        reply_token_ttl=TTL,
    ).contract
    assert isinstance(short, MessageReceived)
    assert short.text_truncated_from is None


@pytest.mark.parametrize(
    "fields",
    [
        {"webhookEventId": "0" * 101},
        {"replyToken": "r" * 257},
        {"source": {"type": "user", "userId": "U" + "1" * 200}},
        # An empty group id became a command to nobody (a 500 found by schemathesis).
        {"source": {"type": "group", "groupId": ""}},
        {"source": {"type": "room", "roomId": ""}},
        {"source": {"type": "user", "userId": ""}},
        {"postback": {"data": "d", "params": {"date": "x" * 101}}},
        {"postback": {"data": "d", "params": {str(i): "x" for i in range(11)}}},
    ],
)
def test_fields_far_longer_than_lines_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        event("postback", **fields)
