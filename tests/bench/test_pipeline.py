"""How the pipeline benchmark counts: answers matched to messages, end-to-end latency per step,
when a step holds, and where the pipeline saturates."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.pipeline import (
    Answer,
    Sent,
    Step,
    answered_at,
    p99_limit,
    saturation,
    stack_config,
    step_of,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def sent(user: str, index: int, when: float, token: str | None, status: int = 200) -> Sent:
    return Sent(user, index, at(when), token, status, webhook_seconds=0.05)


def reply(token: str, when: float) -> Answer:
    return Answer(at=at(when), via="reply", reply_token=token)


def push(when: float) -> Answer:
    return Answer(at=at(when), via="push", reply_token=None)


def test_a_reply_answers_the_message_whose_token_it_used() -> None:
    messages = [sent("U1", 0, 0, "t0"), sent("U1", 1, 1, "t1")]
    found = answered_at(messages, [reply("t1", 1.4), reply("t0", 2.0), reply("t0", 3.0)])
    assert found == [at(2.0), at(1.4)]  # the first of two answers counts


def test_a_push_answers_the_oldest_open_message_before_it_and_never_an_earlier_one() -> None:
    messages = [sent("U1", 0, 0, "t0"), sent("U1", 1, 10, "t1"), sent("U1", 2, 20, "t2")]
    # t0 answered by reply; a push at 5 s came before messages 1 and 2 (an older send): ignored;
    # the push at 60 s answers message 1 (its token expired), nothing answers message 2.
    found = answered_at(messages, [reply("t0", 0.5), push(5), push(60)])
    assert found == [at(0.5), at(60), None]


def test_nothing_in_the_inbox_leaves_every_message_open() -> None:
    assert answered_at([sent("U1", 0, 0, "t0"), sent("U1", 1, 1, None)], []) == [None, None]


def make_step(rate: float, latencies: list[float], *, planned: int | None = None) -> Step:
    messages = [sent(f"U{i % 3}", i, i / rate, f"t{i}") for i in range(len(latencies))]
    inboxes: dict[str, list[Answer]] = {}
    for message, latency in zip(messages, latencies, strict=True):
        if latency >= 0:
            inboxes.setdefault(message.user, []).append(
                reply(str(message.reply_token), (message.at - T0).total_seconds() + latency)
            )
    return step_of(
        rate,
        planned if planned is not None else len(messages),
        messages,
        inboxes,
        load=3.0,
        cores={"line_gateway": 0.5},
    )


def test_a_step_reports_end_to_end_latency_and_what_was_not_answered() -> None:
    step = make_step(10.0, [0.1] * 98 + [0.9, -1])
    assert step.sent == 100
    assert step.answered == 99
    assert step.unanswered == 1
    assert step.p(0.5) == pytest.approx(0.1)
    assert step.p(0.99) == pytest.approx(0.9)
    assert step.achieved_rate == pytest.approx(10.0)
    assert not step.holds(1.0)  # one message never answered


def test_a_step_holds_only_on_schedule_with_every_answer_under_the_limit() -> None:
    assert make_step(10.0, [0.2] * 100).holds(1.0)
    assert not make_step(10.0, [0.2] * 98 + [1.5, 1.5]).holds(1.0)
    assert not make_step(10.0, [0.2] * 90, planned=100).holds(1.0)  # a send did not happen
    late = make_step(10.0, [0.2] * 100)
    assert late.achieved_rate > 0
    slow_sender = replace(late, send_seconds=late.send_seconds * 2)
    assert not slow_sender.holds(1.0)  # the bench sent at half the rate


def test_refused_webhooks_are_counted() -> None:
    step = step_of(
        5.0,
        2,
        [sent("U1", 0, 0, "t0", status=500), sent("U1", 1, 0.2, "t1")],
        {"U1": [reply("t0", 1), reply("t1", 1)]},
        load=1.0,
        cores={},
    )
    assert step.refused == 1


def test_saturation_is_the_first_rate_that_fails_after_the_last_that_held() -> None:
    good, bad = [0.2] * 50, [0.2] * 40 + [3.0] * 10
    steps = [make_step(16.0, bad), make_step(4.0, good), make_step(8.0, good)]
    assert saturation(steps, 1.0) == (8.0, 16.0)
    assert saturation([make_step(4.0, good)], 1.0) == (4.0, None)
    assert saturation([make_step(4.0, bad)], 1.0) == (None, 4.0)
    # A rate that holds above a failed one does not count: the pipeline already gave way.
    assert saturation([make_step(4.0, bad), make_step(8.0, good)], 1.0) == (None, 4.0)


def test_the_offline_stack_has_no_model_and_the_slow_model_stack_points_ai_chat_at_the_stand_in(
    tmp_path: Path,
) -> None:
    offline = stack_config(tmp_path / "offline")
    assert not offline.with_openai_server
    assert "OPENAI_API_KEY" not in offline.env
    slow = stack_config(tmp_path / "slow", model_seconds=2.0)
    assert slow.with_openai_server
    assert slow.env["OPENAI_API_KEY"]
    assert slow.env["OPENAI_BASE_URL"] == f"{slow.url('openai_server')}/v1"
    # A 2 s model must not hit ai_chat's timeout and be answered by the fallback instead.
    assert float(slow.env["AI_CHAT_OPENAI_TIMEOUT_SECONDS"]) > 2.0


def test_the_p99_limit_leaves_the_model_its_own_seconds_unless_one_is_given() -> None:
    def args(limit: float | None, model: float | None) -> argparse.Namespace:
        return argparse.Namespace(p99_limit=limit, model_seconds=model)

    assert p99_limit(args(None, None)) == 1.0
    assert p99_limit(args(None, 2.0)) == 3.0
    assert p99_limit(args(0.5, 2.0)) == 0.5
