"""The loading animation, started after the webhook event's commit (domain/loading.py decides).

Best effort by design: it runs in the background so the webhook's answer to LINE never waits for
it, is never retried, and is lost if the gateway dies before it leaves (the senior then just gets
the answer without the animation).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from services.common.events.contracts.line import MessageReceived
from services.common.logging import get_logger
from services.common.time import utcnow
from services.line_gateway.clients.messaging import LineApiError, LineMessaging
from services.line_gateway.domain.loading import Loading, loading_for
from services.line_gateway.metrics import LOADING

log = get_logger(__name__)


class LoadingAnimation:
    def __init__(self, *, messaging: LineMessaging, seconds: int, max_age: timedelta) -> None:
        self._messaging = messaging
        self._seconds = seconds
        self._max_age = max_age
        self._running: set[asyncio.Task[None]] = set()

    def after_commit(self, message: MessageReceived) -> None:
        """Start the animation for a committed message if it wants one; returns at once."""
        decision = loading_for(message, now=utcnow(), max_age=self._max_age)
        if decision is None:
            return
        if decision is Loading.TOO_LATE:
            LOADING.labels("too_late").inc()
            return
        task = asyncio.create_task(self._show(message.user_id), name="loading-animation")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _show(self, user_id: str) -> None:
        try:
            await self._messaging.show_loading(user_id=user_id, seconds=self._seconds)
        except LineApiError as error:
            # Cosmetic: never retried, since a late animation could outlast the answer.
            LOADING.labels("error").inc()
            log.info("loading animation failed", status=error.status)
            return
        except Exception:
            LOADING.labels("error").inc()
            log.exception("loading animation failed")
            return
        LOADING.labels("shown").inc()

    async def stop(self) -> None:
        """At shutdown: what has not left by now is dropped (it would come too late anyway)."""
        for task in list(self._running):
            task.cancel()
        for task in list(self._running):
            with contextlib.suppress(asyncio.CancelledError):
                await task
