"""LINE's webhook redelivery: a webhook that did not get a 2xx is sent again later, with backoff.

With "Webhook redelivery" on in the LINE Developers console, the LINE Platform redelivers a webhook
the bot server did not acknowledge with a 2xx (an error status, no answer, a timeout). A
redelivered event is the same event, with the same `webhookEventId`, flagged
`deliveryContext.isRedelivery: true`; redeliveries can arrive after later events, so bot servers
must de-duplicate by `webhookEventId` and must not rely on order. LINE does not publish its
schedule; the simulator waits `first_delay_seconds`, doubling each time up to `max_delay_seconds`,
each wait varied by up to `jitter` of itself (webhooks that failed together during an outage
would otherwise all come back at the same instant), and gives up after `max_attempts`
redeliveries.

Only webhooks the simulator built from what a user did are redelivered; `/sim/webhook/raw` bodies
are a test's own and are sent once.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import deque
from dataclasses import dataclass
from typing import Any

from tools.line_simulator import webhooks
from tools.line_simulator.webhooks import WebhookResult, WebhookSender

JsonObject = dict[str, Any]


def accepted(result: WebhookResult) -> bool:
    return 200 <= result.status < 300


@dataclass
class RedeliveryPolicy:
    enabled: bool
    first_delay_seconds: float
    max_delay_seconds: float
    max_attempts: int
    jitter: float = 0.25

    def delay(self, redelivery: int, *, spread: float = 0.0) -> float:
        """How long to wait before the `redelivery`-th redelivery (1, 2, ...); `spread` in
        [-1, 1] varies it by up to `jitter` of itself."""
        base = min(self.first_delay_seconds * 2 ** (redelivery - 1), self.max_delay_seconds)
        return float(base * (1.0 + self.jitter * spread))

    def to_json(self) -> JsonObject:
        return {
            "enabled": self.enabled,
            "firstDelaySeconds": self.first_delay_seconds,
            "maxDelaySeconds": self.max_delay_seconds,
            "maxAttempts": self.max_attempts,
            "jitter": self.jitter,
        }


@dataclass
class _Counts:
    failed_first: int = 0
    redelivered: int = 0
    recovered: int = 0
    given_up: int = 0


class WebhookDelivery:
    """Sends webhooks built from user actions, and redelivers the ones not acknowledged."""

    def __init__(
        self, *, sender: WebhookSender, destination: str, policy: RedeliveryPolicy
    ) -> None:
        self._sender = sender
        self._destination = destination
        self._default = RedeliveryPolicy(**vars(policy))
        self.policy = policy
        self._tasks: set[asyncio.Task[None]] = set()
        self._counts = _Counts()
        self._log: deque[JsonObject] = deque(maxlen=1000)

    async def deliver(self, events: list[JsonObject]) -> WebhookResult:
        """The first delivery; if it is not acknowledged, redeliveries follow in the background."""
        result = await self._sender.post(webhooks.encode_body(self._destination, events))
        if not accepted(result):
            self._counts.failed_first += 1
            if self.policy.enabled:
                task = asyncio.create_task(self._redeliver(events, first=result))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        return result

    async def _redeliver(self, events: list[JsonObject], *, first: WebhookResult) -> None:
        flagged = [webhooks.as_redelivery(event) for event in events]
        body = webhooks.encode_body(self._destination, flagged)
        ids = [event["webhookEventId"] for event in events]
        last = first
        for attempt in range(1, self.policy.max_attempts + 1):
            await asyncio.sleep(self.policy.delay(attempt, spread=random.uniform(-1.0, 1.0)))  # noqa: S311
            last = await self._sender.post(body)
            self._counts.redelivered += 1
            self._log.append({"webhookEventIds": ids, "attempt": attempt, **last.to_json()})
            if accepted(last):
                self._counts.recovered += 1
                return
        self._counts.given_up += 1
        self._log.append({"webhookEventIds": ids, "gaveUp": True, **last.to_json()})

    def status(self) -> JsonObject:
        return {
            **self.policy.to_json(),
            "pending": len(self._tasks),
            "failedFirstDeliveries": self._counts.failed_first,
            "redeliveries": self._counts.redelivered,
            "recovered": self._counts.recovered,
            "givenUp": self._counts.given_up,
            "log": list(self._log)[-50:],
        }

    async def reset(self) -> None:
        """Back to the configured policy, with nothing pending and nothing counted."""
        await self.close()
        self.policy = RedeliveryPolicy(**vars(self._default))
        self._counts = _Counts()
        self._log.clear()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
