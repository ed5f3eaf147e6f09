"""Which hop holds a message: the split of end-to-end time by the Kafka records' timestamps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bench.pipeline import Sent
from bench.pipeline_hops import HOPS, Hops, split, token_of

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def sent(token: str | None, when: float = 0.0, webhook: float = 0.1) -> Sent:
    return Sent("U" + "a1" * 16, 0, at(when), token, 200, webhook_seconds=webhook)


def test_each_hop_runs_from_where_the_last_ended() -> None:
    hops = split(
        [sent("t1", when=0.0, webhook=0.1)],
        inbound={"t1": at(0.3)},
        outbound={"t1": at(1.3)},
        answered={"t1": at(3.3)},
    )
    assert hops.count == 1
    assert {hop: values[0] for hop, values in hops.seconds.items()} == pytest.approx(
        {"webhook": 0.1, "gateway relay": 0.2, "ai_chat": 1.0, "sender": 2.0}
    )
    assert list(hops.seconds) == list(HOPS)


def test_a_message_missing_from_any_hop_is_left_out_of_the_split() -> None:
    hops = split(
        [sent("seen"), sent("no-send"), sent("pushed"), sent(None)],
        inbound={"seen": at(0.2), "no-send": at(0.2), "pushed": at(0.2)},
        outbound={"seen": at(0.5), "pushed": at(0.5)},
        answered={"seen": at(0.9), "no-send": at(0.9)},
    )
    assert hops.count == 1


def test_the_summary_names_every_hop_in_order_or_says_nothing_was_split() -> None:
    hops = split([sent("t")], {"t": at(0.2)}, {"t": at(0.5)}, {"t": at(0.9)})
    summary = hops.summary()
    assert [summary.index(hop) for hop in HOPS] == sorted(summary.index(hop) for hop in HOPS)
    assert summary.endswith("(1 messages)")
    assert Hops({hop: () for hop in HOPS}).summary() == "no message could be split"


def test_the_reply_token_is_read_only_from_the_event_type_asked_for() -> None:
    received = json.dumps({"type": "line.message.received", "data": {"reply_token": "r1"}})
    assert token_of(received.encode(), "line.message.received") == "r1"
    assert token_of(received.encode(), "line.send.requested") is None
    assert token_of(b"not json", "line.message.received") is None
    assert token_of(b"[1, 2]", "line.message.received") is None
    no_token = json.dumps({"type": "line.send.requested", "data": {"reply_token": None}})
    assert token_of(no_token.encode(), "line.send.requested") is None
