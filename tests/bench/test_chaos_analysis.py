"""How the chaos run counts: answers matched to messages, losses, doubles, order, recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.chaos.analysis import Delivery, Sent, answered_by, judge, overtaking, text_of

T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def sent(index: int, when: float, token: str | None = None, *, acknowledged: bool = True) -> Sent:
    return Sent(index=index, at=at(when), reply_token=token, acknowledged=acknowledged)


def reply(token: str, when: float, text: str = "ちょっと待ってな") -> Delivery:
    return Delivery(via="reply", at=at(when), retry_key=None, reply_token=token, texts=(text,))


def push(index: int, when: float, key: str = "k") -> Delivery:
    quoted = f"テスト用の大ちゃんやで。「{text_of(index)}」のこと、もっと聞かせてな。"
    return Delivery(via="push", at=at(when), retry_key=key, reply_token=None, texts=(quoted,))


def test_answers_are_matched_by_reply_token_or_by_the_quoted_message() -> None:
    messages = [sent(0, 0, "t0"), sent(1, 1, "t1")]
    answers = answered_by(messages, [reply("t0", 2), push(1, 3), reply("unknown", 4, "関係ない話")])
    assert [d.at for d in answers[0]] == [at(2)]
    assert [d.at for d in answers[1]] == [at(3)]
    assert len(answers[-1]) == 1  # neither its token nor a quote points at a message


def test_lost_doubled_and_the_allowed_resend_are_told_apart() -> None:
    messages = [sent(0, 0, "t0"), sent(1, 1, "t1"), sent(2, 2, "t2"), sent(3, 3, "t3")]
    deliveries = [
        reply("t0", 1),
        reply("t1", 2),
        push(1, 60, key="resend-1"),  # the reply's outcome was unknown: resent by push
        reply("t2", 3),
        push(2, 4, key="other"),  # a second copy nobody decided to send
    ]
    outcome = judge(
        {"U1": (messages, deliveries)}, resend_keys={"resend-1"}, killed_at=None, back_at=None
    )
    assert (outcome.sent, outcome.answered, outcome.lost) == (4, 3, 1)
    assert (outcome.doubled, outcome.resent) == (1, 1)
    assert outcome.lost_examples == ["U1 #3"]


def test_a_message_answered_after_a_later_one_is_out_of_order() -> None:
    assert overtaking({0: at(5), 1: at(2), 2: at(3), 3: at(9)}) == 1
    assert overtaking({0: at(9), 1: at(2), 2: at(3)}) == 1
    assert overtaking({0: at(9), 1: at(8), 2: at(3)}) == 2
    assert overtaking({0: at(1), 1: at(2)}) == 0


def test_recovery_runs_from_the_kill_to_the_last_answer_to_what_was_sent_before_the_restart() -> (
    None
):
    messages = [sent(0, 0, "t0"), sent(1, 10, "t1", acknowledged=False), sent(2, 30, "t2")]
    deliveries = [reply("t0", 1), reply("t1", 25), reply("t2", 31)]
    outcome = judge(
        {"U1": (messages, deliveries)}, resend_keys=set(), killed_at=at(8), back_at=at(20)
    )
    assert outcome.recovery_seconds == 17.0  # the kill at 8 s, message 1 answered at 25 s
    assert outcome.acknowledged_first == 2

    lost = judge(
        {"U1": (messages, deliveries[:1] + deliveries[2:])},
        resend_keys=set(),
        killed_at=at(8),
        back_at=at(20),
    )
    assert lost.recovery_seconds is None


def test_order_is_also_judged_among_the_messages_acknowledged_at_once() -> None:
    # Message 1's webhook failed and LINE redelivered it after message 2: out of order, but not
    # among the acknowledged ones (0 and 2 were answered in their order).
    messages = [sent(0, 0, "t0"), sent(1, 2, "t1", acknowledged=False), sent(2, 4, "t2")]
    deliveries = [reply("t0", 1), reply("t2", 5), reply("t1", 9)]
    outcome = judge({"U1": (messages, deliveries)}, resend_keys=set(), killed_at=None, back_at=None)
    assert (outcome.out_of_order, outcome.out_of_order_acknowledged) == (1, 0)

    overtaken = [reply("t0", 6), reply("t2", 5), reply("t1", 9)]
    outcome = judge({"U1": (messages, overtaken)}, resend_keys=set(), killed_at=None, back_at=None)
    assert (outcome.out_of_order, outcome.out_of_order_acknowledged) == (2, 1)


def test_the_first_answer_after_the_kill_is_to_a_message_sent_after_it() -> None:
    messages = [sent(0, 0, "t0"), sent(1, 10, "t1"), sent(2, 12, "t2")]
    # Message 0's late answer (at 15 s) does not count: it was sent before the kill at 8 s.
    deliveries = [reply("t0", 15), reply("t1", 21), reply("t2", 19)]
    outcome = judge(
        {"U1": (messages, deliveries)}, resend_keys=set(), killed_at=at(8), back_at=at(20)
    )
    assert outcome.first_answer_after_kill_seconds == 11.0
    assert outcome.latency(1.0) == 15.0
