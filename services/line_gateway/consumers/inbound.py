"""The gateway's own follow-ups on `line.inbound`: work that must stay off the webhook's path.

The webhook answers LINE within two seconds by only recording events (and starting the loading
animation after its commit, best effort). Calls to LINE that must not be lost, or that publish
what they bring, happen here, in the gateway's consumer of its own topic: fetching a voice message
for transcription, and switching a senior's rich menu when their account is linked or unlinked.

A text, a tap or a follow needs nothing here. The gateway does not fetch LINE profiles (display
name, picture, language): nothing in the platform uses them, and personal data is collected only
for a purpose (APPI). The helpdesk names seniors from the programme's own records.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable
from functools import partial
from typing import Any

from services.common.events.contracts.line import (
    AccountLinked,
    AccountUnlinked,
    AudioFetched,
    ConversationMode,
    MessageReceived,
)
from services.common.events.envelope import Envelope, new_event
from services.common.kafka.handling import REDELIVERED, Commit, Redelivered
from services.common.kafka.topics import LINE_INBOUND, LINE_OUTBOUND, TopicSpec
from services.common.logging import get_logger, user_ref
from services.common.store import Tx
from services.common.store.mongo import AfterCommit
from services.common.store.processed import ProcessedEvents
from services.line_gateway.clients.messaging import LineApiError, LineMessaging
from services.line_gateway.domain import texts
from services.line_gateway.domain.answers import audio_too_long
from services.line_gateway.domain.rich_menu import LINKED
from services.line_gateway.metrics import AUDIO, RICH_MENU
from services.line_gateway.store import RichMenuRepository

log = get_logger(__name__)

SOURCE = "line_gateway"


class InboundFollowUps:
    def __init__(
        self,
        *,
        menus: RichMenuRepository,
        messaging: LineMessaging,
        audio_max_seconds: float,
        audio_max_bytes: int,
        rich_menus_enabled: bool,
        processed: ProcessedEvents,
        group: str,
    ) -> None:
        self._processed = processed
        self._group = group  # the consumer group whose claim a voice message reads
        self._messaging = messaging
        self._menus = menus
        self._audio_max_ms = int(audio_max_seconds * 1000)
        self._audio_max_bytes = audio_max_bytes
        self._rich_menus_enabled = rich_menus_enabled

    async def on_message_received(
        self, envelope: Envelope[MessageReceived]
    ) -> Commit | Redelivered | None:
        # Only a voice message has a follow-up: its content is fetched once and committed with
        # its claim, so it reads that claim first. A text returns at once without a read: nothing
        # ever claims one (the route recognises its redeliveries: app.py).
        if envelope.data.message_type != "audio":
            return None
        if await self._processed.contains(group=self._group, event_id=envelope.id):
            return REDELIVERED
        return await self._fetch_audio(envelope)

    async def on_account_linked(self, envelope: Envelope[AccountLinked]) -> None:
        # Retried on failure (LINE unreachable): the senior should see their linked menu (linking
        # the same menu twice is harmless). If the menus are not provisioned yet, provisioning
        # links every linked senior itself.
        if not self._rich_menus_enabled:
            return
        menu_id = await self._menus.menu_for(LINKED)
        if menu_id is None:
            RICH_MENU.labels("link_user", "not_provisioned").inc()
            return
        await self._menu_call(
            "link_user",
            self._messaging.link_rich_menu(user_id=envelope.data.user_id, rich_menu_id=menu_id),
        )

    async def on_account_unlinked(self, envelope: Envelope[AccountUnlinked]) -> None:
        # Retried on failure: back to the default menu, which has no "my tablet" button (twice
        # is harmless).
        if not self._rich_menus_enabled:
            return
        await self._menu_call(
            "unlink_user", self._messaging.unlink_rich_menu(user_id=envelope.data.user_id)
        )

    async def _menu_call(self, operation: str, pending: Awaitable[None]) -> None:
        try:
            await pending
        except LineApiError as error:
            RICH_MENU.labels(operation, "error").inc()
            if error.retryable:
                raise
            # E.g. the senior blocked the account since: nothing to show them a menu on.
            log.warning("rich menu call refused", operation=operation, status=error.status)
            return
        RICH_MENU.labels(operation, "ok").inc()

    # -- voice ---------------------------------------------------------------------------------

    async def _fetch_audio(self, envelope: Envelope[MessageReceived]) -> Commit | None:
        message = envelope.data
        if message.duration_ms is not None and message.duration_ms > self._audio_max_ms:
            return self._too_long(envelope, outcome="too_long")
        try:
            data, media_type = await self._messaging.content(message_id=message.message_id)
        except LineApiError as error:
            if error.retryable:
                raise
            # LINE keeps content for a limited time; once it is gone it will not come back.
            AUDIO.labels("gone").inc()
            log.warning("voice message content unavailable", status=error.status)
            return None
        if len(data) > self._audio_max_bytes:
            return self._too_long(envelope, outcome="too_large")
        fetched = AudioFetched(
            user_id=message.user_id,
            webhook_event_id=message.webhook_event_id,
            message_id=message.message_id,
            content_type=media_type,
            audio_base64=base64.b64encode(data).decode(),
            duration_ms=message.duration_ms,
            reply_token=message.reply_token,
            reply_token_expires_at=message.reply_token_expires_at,
            sent_at=message.sent_at,
            conversation_mode=message.conversation_mode,
            participant_id=message.participant_id,
        )
        return Commit(
            partial(
                _publish,
                topic=LINE_INBOUND,
                key=message.user_id,
                event=new_event(fetched, source=SOURCE, cause=envelope),
                then=partial(_fetched, message.user_id, size=len(data)),
            )
        )

    def _too_long(self, envelope: Envelope[MessageReceived], *, outcome: str) -> Commit | None:
        message = envelope.data
        AUDIO.labels(outcome).inc()
        if message.conversation_mode is ConversationMode.HUMAN:
            return None  # staff answer in human mode; the message event itself reaches them
        return Commit(
            partial(
                _publish,
                topic=LINE_OUTBOUND,
                key=message.user_id,
                event=audio_too_long(envelope, text=texts.AUDIO_TOO_LONG),
            )
        )


async def _publish(
    tx: Tx,
    *,
    topic: TopicSpec,
    key: str,
    event: Envelope[Any],
    then: AfterCommit | None = None,
) -> None:
    await tx.emit(topic=topic, key=key, event=event)
    if then is not None:
        tx.after_commit(then)


def _fetched(user_id: str, *, size: int) -> None:
    AUDIO.labels("fetched").inc()
    log.info("voice message fetched", user=user_ref(user_id), size=size)
