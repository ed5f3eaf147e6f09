"""Conversation mode from `helpdesk.events`: who answers a senior, Dai-chan or a person.

The gateway stamps the mode on every later inbound event, so ai_chat stays silent while staff
have the conversation and helpdesk adds the senior's messages to the ticket.
"""

from __future__ import annotations

from functools import partial

from services.common.events.contracts.helpdesk import (
    ConversationHandedBack,
    ConversationHandedOver,
)
from services.common.events.contracts.line import ConversationMode
from services.common.events.envelope import Envelope
from services.common.logging import get_logger, user_ref
from services.common.store import Tx
from services.line_gateway.store import LineUserRepository

log = get_logger(__name__)


class ModeHandlers:
    def __init__(self, *, users: LineUserRepository) -> None:
        self._users = users

    async def on_handed_over(self, envelope: Envelope[ConversationHandedOver], tx: Tx) -> None:
        # Retried on failure (MongoDB only). Events of different tickets for one senior may
        # arrive out of order (keyed by ticket), so the later `at` wins.
        await self._set(tx, envelope, ConversationMode.HUMAN)

    async def on_handed_back(self, envelope: Envelope[ConversationHandedBack], tx: Tx) -> None:
        # Retried on failure (MongoDB only); the later `at` wins, as above.
        await self._set(tx, envelope, ConversationMode.BOT)

    async def _set(
        self,
        tx: Tx,
        envelope: Envelope[ConversationHandedOver] | Envelope[ConversationHandedBack],
        mode: ConversationMode,
    ) -> None:
        user_id = envelope.data.line_user_id
        changed = await self._users.set_mode(tx, user_id=user_id, mode=mode, at=envelope.data.at)
        tx.after_commit(
            partial(
                log.info,
                "conversation mode",
                user=user_ref(user_id),
                mode=mode.value,
                applied=changed,
                ticket_id=envelope.data.ticket_id,
            )
        )
