"""The envelope and contracts survive a round trip, and bad bytes are told apart from new types."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.common.events import (
    Contract,
    EventDecodeError,
    UnknownEventType,
    decode_event,
    encode_event,
    new_event,
    registry,
)
from services.common.events.contracts.helpdesk import HelpRequested, Priority, RequestReason
from services.common.events.contracts.line import (
    MessageAction,
    MessageReceived,
    SendRequested,
    TextMessage,
)

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def a_message() -> MessageReceived:
    return MessageReceived(
        user_id="U" + "a" * 32,
        webhook_event_id="01HZZZZZZZZZZZZZZZZZZZZZZZ",
        message_id="1234",
        message_type="text",
        text="こんにちは",
        reply_token="r" * 32,
        reply_token_expires_at=NOW + timedelta(seconds=50),
        sent_at=NOW,
    )


def test_round_trip_keeps_type_payload_and_ids() -> None:
    event = new_event(a_message(), source="line_gateway")
    decoded = decode_event(encode_event(event))
    assert isinstance(decoded.data, MessageReceived)
    assert decoded.data == event.data
    assert (decoded.id, decoded.correlation_id, decoded.type) == (
        event.id,
        event.correlation_id,
        "line.message.received",
    )


def test_caused_event_inherits_correlation_and_names_its_cause() -> None:
    cause = new_event(a_message(), source="line_gateway")
    command = SendRequested(
        user_id=cause.data.user_id,
        messages=[
            TextMessage(text="やあ", quick_replies=[MessageAction(label="はい", text="はい")])
        ],
        purpose="ai_chat.reply",
    )
    effect = new_event(command, source="ai_chat", cause=cause)
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.id
    decoded = decode_event(encode_event(effect))
    assert isinstance(decoded.data, SendRequested)
    assert decoded.data.messages[0].quick_replies[0].label == "はい"


def test_every_registered_contract_round_trips() -> None:
    samples: dict[type[Contract], Contract] = {
        HelpRequested: HelpRequested(
            request_id="r-1",
            line_user_id="U1",
            reason=RequestReason.EMERGENCY,
            priority=Priority.URGENT,
            summary="胸が痛い",
        ),
        MessageReceived: a_message(),
    }
    for model, sample in samples.items():
        assert registry.lookup(model.event_type, model.version) is model
        assert decode_event(encode_event(new_event(sample, source="t"))).data == sample


def test_unknown_type_is_not_poison() -> None:
    raw = json.loads(encode_event(new_event(a_message(), source="t")))
    raw["type"] = "line.something.new"
    with pytest.raises(UnknownEventType) as info:
        decode_event(json.dumps(raw).encode())
    assert info.value.event_type == "line.something.new"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"not json", "json"),
        (b'{"id": "x"}', "id"),
        (b"\xff\xfe", "json"),
    ],
)
def test_malformed_bytes_are_poison(raw: bytes, problem: str) -> None:
    with pytest.raises(EventDecodeError) as info:
        decode_event(raw)
    assert problem in str(info.value).lower()


def test_payload_breaking_its_contract_is_poison() -> None:
    raw = json.loads(encode_event(new_event(a_message(), source="t")))
    raw["data"]["message_type"] = "hologram"
    with pytest.raises(EventDecodeError, match="message_type"):
        decode_event(json.dumps(raw).encode())


def test_naive_timestamps_are_refused() -> None:
    raw = json.loads(encode_event(new_event(a_message(), source="t")))
    raw["occurred_at"] = "2026-11-23T03:00:00"
    with pytest.raises(EventDecodeError, match="occurred_at"):
        decode_event(json.dumps(raw).encode())


def test_send_command_enforces_line_limits() -> None:
    with pytest.raises(ValidationError):
        SendRequested(
            user_id="U1",
            messages=[TextMessage(text=str(i)) for i in range(6)],
            purpose="x.y",
        )
    with pytest.raises(ValidationError):
        TextMessage(text="x" * 5001)
    with pytest.raises(ValidationError, match="reply_token_expires_at"):
        SendRequested(
            user_id="U1", messages=[TextMessage(text="a")], reply_token="t", purpose="x.y"
        )
