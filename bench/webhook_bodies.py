"""What `bench.webhook_ingest` sends and how it reads the answers: signed LINE webhook bodies,
wrk's request script, and the arithmetic on what wrk and the single-body runs report.

Pure functions (no stack, no clock beyond the events' own timestamps), so the bookkeeping is
tested on its own (`tests/bench/test_webhook_bodies.py`).

Bodies are built with the LINE simulator's own event builders (`tools/line_simulator/webhooks`),
so they have exactly the shape LINE's webhooks have; each event has a new `webhookEventId` and,
for the flood, a new senior, so the gateway sees new seniors' first messages, never duplicates.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from bench.webhook_ceiling import signature
from tools.line_simulator import webhooks

DESTINATION = "Ubenchdestination0000000000000000"
MARKER = "SSLP-WRK "


def new_user() -> str:
    return f"U{uuid4().hex}"


def text_event(user: str, now: datetime, index: int = 0) -> dict[str, Any]:
    message = {
        "id": f"{int(now.timestamp() * 1000)}{index:06d}",
        "type": "text",
        "text": "こんにちは、今日はええ天気やね",
        "quoteToken": webhooks.new_quote_token(),
    }
    return webhooks.message_event(
        user_id=user, message=message, reply_token=webhooks.new_reply_token(), now=now
    )


def ignored_event(user: str, now: datetime, index: int = 0) -> dict[str, Any]:
    """An `unsend`: acknowledged and counted as ignored by the gateway (README's event table)."""
    return {
        "type": "unsend",
        "mode": "active",
        "timestamp": int(now.timestamp() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": webhooks.new_webhook_event_id(now),
        "deliveryContext": {"isRedelivery": False},
        "unsend": {"messageId": f"{int(now.timestamp() * 1000)}{index:06d}"},
    }


def unfollow_event(user: str, now: datetime, index: int = 0) -> dict[str, Any]:
    return webhooks.unfollow_event(user_id=user, now=now)


EVENT_KINDS = {"text": text_event, "ignored": ignored_event, "unfollow": unfollow_event}


@dataclass(frozen=True)
class SignedBody:
    signature: str
    body: bytes
    events: int


def signed(events: Sequence[dict[str, Any]], secret: str) -> SignedBody:
    body = webhooks.encode_body(DESTINATION, list(events))
    return SignedBody(signature=signature(body, secret), body=body, events=len(events))


def body_of(kind: str, events: int, secret: str, now: datetime) -> SignedBody:
    """One body of `events` events of `kind`, each from its own new senior."""
    make = EVENT_KINDS[kind]
    return signed([make(new_user(), now, i) for i in range(events)], secret)


def flood(count: int, secret: str, now: datetime) -> list[SignedBody]:
    """`count` bodies, each one text event from a new senior: the flood wrk sends."""
    return [body_of("text", 1, secret, now) for _ in range(count)]


def write_requests(path: Path, bodies: Iterable[SignedBody]) -> int:
    """One request a line, `signature<TAB>body`, for the wrk script; returns how many."""
    count = 0
    with path.open("wb") as out:
        for item in bodies:
            if b"\n" in item.body or b"\t" in item.body:
                raise ValueError("a body must be one line without tabs")
            out.write(item.signature.encode() + b"\t" + item.body + b"\n")
            count += 1
    return count


# wrk runs this script in each of its threads: thread k of n sends lines k, k+n, k+2n, ... of the
# request file, so no two threads send the same event; a thread that runs out starts again from
# its first line (duplicates from then on), and `done` says how often that happened.
WRK_SCRIPT = r"""
local threads = {}
local count = 0

function setup(thread)
  thread:set("part", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  local parts = tonumber(args[2])
  sigs, bodies, index, wrapped = {}, {}, 0, 0
  local n = 0
  for line in io.lines(args[1]) do
    if n % parts == part then
      local tab = line:find("\t", 1, true)
      sigs[#sigs + 1] = line:sub(1, tab - 1)
      bodies[#bodies + 1] = line:sub(tab + 1)
    end
    n = n + 1
  end
end

function request()
  index = index + 1
  if index > #bodies then
    index = 1
    wrapped = wrapped + 1
  end
  return wrk.format("POST", "/callback",
    {["Content-Type"] = "application/json", ["X-Line-Signature"] = sigs[index]}, bodies[index])
end

function done(summary, latency, requests)
  local wraps = 0
  for _, thread in ipairs(threads) do
    wraps = wraps + thread:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format(
    'SSLP-WRK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"wrapped": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, wraps))
end
"""


def wrk_command(
    url: str, script: Path, requests: Path, *, threads: int, connections: int, seconds: float
) -> list[str]:
    # --timeout 2s: LINE gives up on a webhook after two seconds, and so does the load.
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "2s",
        "-s",
        str(script),
        url,
        "--",
        str(requests),
        str(threads),
    ]


@dataclass(frozen=True)
class WrkResult:
    """One wrk run. Latencies are of answered requests; timeouts (> 2 s) are counted apart."""

    requests: int
    seconds: float
    errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    wrapped: int  # times a thread ran out of new events and sent old ones again

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def failed(self) -> int:
        return sum(self.errors.values())


def parse_wrk(output: str) -> WrkResult:
    """The figures the script's `done` printed (wrk's own text report is not parsed)."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            raw = json.loads(line.removeprefix(MARKER))
            return WrkResult(
                requests=int(raw["requests"]),
                seconds=raw["duration_us"] / 1e6,
                errors={k: int(raw[k]) for k in ("connect", "read", "write", "status", "timeout")},
                p50_ms=raw["p50_us"] / 1000,
                p90_ms=raw["p90_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                max_ms=raw["max_us"] / 1000,
                wrapped=int(raw["wrapped"]),
            )
    raise ValueError("wrk printed no SSLP-WRK line (did the script run?)")


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


LINE_TIMEOUT_SECONDS = 2.0


def probe_result(latencies: Sequence[float], statuses: Sequence[int], seconds: float) -> WrkResult:
    """One webhook at a time, each waited for however long it took: the figures of `WrkResult`,
    with every answer in the percentiles and those slower than LINE's 2 s counted as timeouts
    (LINE would have given up on them and redelivered)."""
    ms = [value * 1000 for value in latencies]
    return WrkResult(
        requests=len(latencies),
        seconds=seconds,
        errors={
            "status": sum(1 for status in statuses if not 200 <= status < 300),
            "timeout": sum(1 for value in latencies if value > LINE_TIMEOUT_SECONDS),
        },
        p50_ms=percentile(ms, 0.50),
        p90_ms=percentile(ms, 0.90),
        p99_ms=percentile(ms, 0.99),
        max_ms=max(ms, default=0.0),
        wrapped=0,
    )


def ratio(gateway: float, ceiling: float) -> float | None:
    return gateway / ceiling if ceiling > 0 else None


def overall_ratio(gateway: Sequence[WrkResult], ceiling: Sequence[WrkResult]) -> float | None:
    """All gateway requests over all their time, against the same for the ceiling."""
    g = sum(r.requests for r in gateway) / max(sum(r.seconds for r in gateway), 1e-9)
    c = sum(r.requests for r in ceiling) / max(sum(r.seconds for r in ceiling), 1e-9)
    return ratio(g, c) if gateway and ceiling else None


@dataclass(frozen=True)
class BodyTimes:
    """One kind of single body, sent one at a time: each answer's seconds and status."""

    kind: str
    events: int
    seconds: tuple[float, ...]
    statuses: tuple[int, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def ok(self) -> bool:
        return all(200 <= s < 300 for s in self.statuses)


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
