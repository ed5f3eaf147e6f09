"""Live updates for the staff page: server-sent events fed by a MongoDB change stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from services.common.logging import get_logger
from services.helpdesk.store import ChangeFeed
from services.helpdesk.store.staff_tools import PRESENCE

log = get_logger(__name__)

HEARTBEAT_SECONDS = 15.0
# A stream ends after this long and the browser reconnects (EventSource does so by itself), so
# a session that was signed out or expired stops receiving updates soon after.
STREAM_LIFETIME_SECONDS = 300.0


class Broadcaster:
    """Fans each change out to every connected page."""

    def __init__(self, feed: ChangeFeed, *, summarise: Any) -> None:
        self._feed = feed
        self._summarise = summarise
        self._subscribers: set[asyncio.Queue[str]] = set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="helpdesk-live-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        async for collection, doc_id, doc in self._feed.changes():
            if collection == PRESENCE:
                ticket_id = doc_id.split(":", 1)[0]
                self.publish("presence", {"ticket_id": ticket_id})
            elif doc is not None:
                try:
                    summary = self._summarise(doc)
                except ValueError:  # a document the ticket model refuses: our bug, not the feed's
                    log.exception("a changed ticket could not be summarised", ticket=doc_id)
                    continue
                self.publish("ticket", summary)

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        message = f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)

    async def stream(self) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=200)
        self._subscribers.add(queue)
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_LIFETIME_SECONDS
        try:
            yield "retry: 2000\n\n"
            while loop.time() < ends:
                try:
                    yield await asyncio.wait_for(queue.get(), timeout=HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
        finally:
            self._subscribers.discard(queue)
