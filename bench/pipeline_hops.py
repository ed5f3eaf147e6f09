"""Which hop of the pipeline holds a message: per-hop times from the Kafka records' timestamps.

Every message's reply token travels through every hop (`line.message.received` carries it, so
does the `line.send.requested` that answers it), and Kafka stamps each record with the time its
producer sent it (CreateTime; one machine, one clock). So for one message:

- **webhook**: the bench asks the simulator to send it, until the gateway's 200 comes back;
- **gateway relay**: that 200, until the gateway's outbox relay produced it to `line.inbound`;
- **ai_chat**: `line.inbound`, until ai_chat produced its answer to `line.outbound`
  (consuming, deciding, committing, its own relay);
- **sender**: `line.outbound`, until the simulator recorded the reply (the sender's consuming,
  its reads, the call to LINE).

A message answered by a push (its token expired on the way) has no `line.send.requested` with
its token and is left out of the split; the split's counts say how many were in it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bench.kafka_read import records_to_end
from bench.webhook_bodies import percentile

HOPS = ("webhook", "gateway relay", "ai_chat", "sender")
TOKEN_EVENTS = {"line.inbound": "line.message.received", "line.outbound": "line.send.requested"}


class Timed(Protocol):
    """What the split needs of a sent message (`bench.pipeline.Sent`)."""

    @property
    def at(self) -> datetime: ...
    @property
    def reply_token(self) -> str | None: ...
    @property
    def webhook_seconds(self) -> float: ...


@dataclass(frozen=True)
class Hops:
    seconds: dict[str, tuple[float, ...]]  # per hop, over the messages that could be split

    @property
    def count(self) -> int:
        return len(self.seconds[HOPS[0]]) if self.seconds else 0

    def summary(self) -> str:
        """`hop p50 / p99` for each hop, in the order a message takes them."""
        if not self.count:
            return "no message could be split"
        parts = [
            f"{hop} {percentile(values, 0.5):.2f} / {percentile(values, 0.99):.2f} s"
            for hop, values in self.seconds.items()
        ]
        return f"{'; '.join(parts)} ({self.count} messages)"


def token_of(value: bytes, event_type: str) -> str | None:
    """The reply token of an envelope of `event_type`, else None (other events, bad bytes)."""
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        envelope = json.loads(value)
        if envelope.get("type") == event_type:
            token = envelope.get("data", {}).get("reply_token")
            return token if isinstance(token, str) else None
    return None


def split(
    sent: Sequence[Timed],
    inbound: Mapping[str, datetime],
    outbound: Mapping[str, datetime],
    answered: Mapping[str, datetime],
) -> Hops:
    """Per-hop seconds for every message whose token was seen at each hop; `inbound` and
    `outbound` are when each token was produced to those topics, `answered` when the reply that
    used it reached the simulator (the first time each)."""
    seconds: dict[str, list[float]] = {hop: [] for hop in HOPS}
    for message in sent:
        token = message.reply_token
        if token is None or token not in inbound or token not in outbound or token not in answered:
            continue
        acknowledged = message.at + timedelta(seconds=message.webhook_seconds)
        points = (message.at, acknowledged, inbound[token], outbound[token], answered[token])
        for hop, start, end in zip(HOPS, points, points[1:], strict=False):
            seconds[hop].append((end - start).total_seconds())
    return Hops({hop: tuple(values) for hop, values in seconds.items()})


async def produced_at(bootstrap_servers: str, tokens: set[str]) -> dict[str, dict[str, datetime]]:
    """Per topic of `TOKEN_EVENTS`, when each of `tokens` was first produced there."""
    found: dict[str, dict[str, datetime]] = {topic: {} for topic in TOKEN_EVENTS}
    async for record in records_to_end(bootstrap_servers, list(TOKEN_EVENTS)):
        _note(found[record.topic], record, record.topic, tokens)
    return found


def _note(seen: dict[str, datetime], record: Any, topic: str, tokens: set[str]) -> None:
    token = token_of(record.value, TOKEN_EVENTS[topic])
    if token in tokens and token not in seen:
        seen[token] = datetime.fromtimestamp(record.timestamp / 1000, UTC)
