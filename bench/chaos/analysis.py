"""What became of each senior's messages, from what the seniors' phones (the simulator) show.

Pure functions, so the counting rules are tested on their own (`tests/bench`):

- A delivery answers a message when it is a reply that used that message's reply token, or when
  its text quotes the message (the OpenAI-compatible test server quotes what the senior said, and
  every message of a senior is different). Anything else is counted as unattributed.
- **answered**: messages with at least one answer; **lost**: sent but never answered.
- **doubled**: messages answered more than once, except where the extra copy is a push with the
  retry key of a send the gateway reported as resent because its reply's outcome was unknown
  (the README's one allowed double): those are **resent**, counted apart.
- **out of order**: messages whose first answer came after the first answer of a later message of
  the same senior (it was overtaken). LINE's redelivery brings a webhook back after later ones,
  so **out of order, acknowledged** counts the same among the messages whose webhook the gateway
  acknowledged at the first attempt only: the order the platform itself must keep.
- **recovery**: seconds from the kill until every message sent before the killed process was back
  had its answer (None while any of them is lost).
- **first answer after the kill**: seconds from the kill to the first answer to a message sent
  after it (how soon the platform answers anyone again).
- **latency**: seconds from a message to its first answer (median and 99th percentile), so a
  recovery can be read against how long answers take anyway on the machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MARKER = re.compile(r"おはなし(\d{2,4})です")


def text_of(index: int) -> str:
    """What a senior says as their `index`-th message (short enough to be quoted whole)."""
    return f"おはなし{index:02d}です"


@dataclass(frozen=True)
class Sent:
    index: int
    at: datetime
    reply_token: str | None
    acknowledged: bool  # the first webhook attempt got a 2xx


@dataclass(frozen=True)
class Delivery:
    via: str
    at: datetime
    retry_key: str | None
    reply_token: str | None
    texts: tuple[str, ...]

    @classmethod
    def from_inbox(cls, entry: dict[str, Any]) -> Delivery:
        return cls(
            via=str(entry["via"]),
            at=datetime.fromisoformat(entry["at"]),
            retry_key=entry.get("retryKey"),
            reply_token=entry.get("replyToken"),
            texts=tuple(m["text"] for m in entry["messages"] if m.get("type") == "text"),
        )


@dataclass
class Outcome:
    sent: int = 0
    acknowledged_first: int = 0
    answered: int = 0
    lost: int = 0
    doubled: int = 0
    resent: int = 0
    out_of_order: int = 0
    out_of_order_acknowledged: int = 0
    unattributed: int = 0
    recovery_seconds: float | None = None
    first_answer_after_kill_seconds: float | None = None
    lost_examples: list[str] = field(default_factory=list)
    # The message whose answer ended the recovery: who, which, sent and answered when.
    last_to_recover: str | None = None
    latencies: list[float] = field(default_factory=list)
    # Per answered message: when it was sent, and how long its first answer took.
    answer_times: list[tuple[datetime, float]] = field(default_factory=list)

    def slowest(self, count: int) -> list[tuple[datetime, float]]:
        return sorted(self.answer_times, key=lambda pair: -pair[1])[:count]

    def latency(self, share: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def answered_by(
    messages: Sequence[Sent], deliveries: Iterable[Delivery]
) -> dict[int, list[Delivery]]:
    """Each message's answers, in the order they arrived; unattributed ones under -1."""
    by_token = {m.reply_token: m.index for m in messages if m.reply_token}
    indexes = {m.index for m in messages}
    answers: dict[int, list[Delivery]] = {m.index: [] for m in messages}
    answers[-1] = []
    for delivery in sorted(deliveries, key=lambda d: d.at):
        index = by_token.get(delivery.reply_token) if delivery.reply_token else None
        if index is None:
            quoted = {int(n) for text in delivery.texts for n in MARKER.findall(text)}
            index = next(iter(quoted & indexes), None) if len(quoted & indexes) == 1 else None
        answers[index if index is not None else -1].append(delivery)
    return answers


def judge(
    seniors: dict[str, tuple[Sequence[Sent], Sequence[Delivery]]],
    *,
    resend_keys: set[str],
    killed_at: datetime | None,
    back_at: datetime | None,
) -> Outcome:
    outcome = Outcome()
    recovery_ok = True
    latest_needed: datetime | None = None
    for user, (messages, deliveries) in seniors.items():
        answers = answered_by(messages, deliveries)
        outcome.unattributed += len(answers.pop(-1))
        first_answer: dict[int, datetime] = {}
        for message in messages:
            outcome.sent += 1
            outcome.acknowledged_first += message.acknowledged
            found = answers[message.index]
            if not found:
                outcome.lost += 1
                if len(outcome.lost_examples) < 5:
                    outcome.lost_examples.append(f"{user} #{message.index}")
                if back_at is not None and message.at <= back_at:
                    recovery_ok = False
                continue
            outcome.answered += 1
            first_answer[message.index] = found[0].at
            if killed_at is not None and message.at >= killed_at:
                after = (found[0].at - killed_at).total_seconds()
                if (
                    outcome.first_answer_after_kill_seconds is None
                    or after < outcome.first_answer_after_kill_seconds
                ):
                    outcome.first_answer_after_kill_seconds = after
            outcome.latencies.append((found[0].at - message.at).total_seconds())
            outcome.answer_times.append((message.at, outcome.latencies[-1]))
            extra = found[1:]
            if extra:
                if all(d.via == "push" and d.retry_key in resend_keys for d in extra):
                    outcome.resent += 1
                else:
                    outcome.doubled += 1
            if (
                back_at is not None
                and message.at <= back_at
                and (latest_needed is None or found[0].at > latest_needed)
            ):
                latest_needed = found[0].at
                outcome.last_to_recover = (
                    f"{user} #{message.index} sent {message.at:%H:%M:%S.%f} "
                    f"answered {found[0].at:%H:%M:%S.%f} by {found[0].via}"
                )
        outcome.out_of_order += overtaking(first_answer)
        acknowledged = {m.index for m in messages if m.acknowledged}
        outcome.out_of_order_acknowledged += overtaking(
            {index: at for index, at in first_answer.items() if index in acknowledged}
        )
    if killed_at is not None and recovery_ok and latest_needed is not None:
        outcome.recovery_seconds = max((latest_needed - killed_at).total_seconds(), 0.0)
    return outcome


def overtaking(first_answer: dict[int, datetime]) -> int:
    """How many messages were answered after a later message of the same senior."""
    overtaken = 0
    earliest_later: datetime | None = None
    for index in sorted(first_answer, reverse=True):
        at = first_answer[index]
        if earliest_later is not None and at > earliest_later:
            overtaken += 1
        earliest_later = at if earliest_later is None else min(earliest_later, at)
    return overtaken
