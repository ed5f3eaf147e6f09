"""`helpdesk.events`: Dai-chan's own record of who has a person at the helpdesk right now.

line_gateway stamps later inbound events with the mode too, but Dai-chan keeps its own record so
it stays silent whatever order the two learn of a hand-over in. Failures are retried: the updates
are idempotent (add/remove a ticket id), so a retry or redelivery changes nothing further.
"""

from __future__ import annotations

from services.ai_chat.store.seniors import SeniorRepository
from services.common.events.contracts.helpdesk import ConversationHandedBack, ConversationHandedOver
from services.common.events.envelope import Envelope
from services.common.kafka.streams import HandlerContext
from services.common.store import Tx


class HelpdeskHandlers:
    def __init__(self, *, seniors: SeniorRepository) -> None:
        self._seniors = seniors

    async def on_handed_over(
        self, envelope: Envelope[ConversationHandedOver], ctx: HandlerContext
    ) -> None:
        event = envelope.data

        async def save(tx: Tx) -> None:
            await self._seniors.handed_over(
                tx, user_id=event.line_user_id, ticket_id=event.ticket_id
            )

        await ctx.transaction(save)

    async def on_handed_back(
        self, envelope: Envelope[ConversationHandedBack], ctx: HandlerContext
    ) -> None:
        event = envelope.data

        async def save(tx: Tx) -> None:
            await self._seniors.handed_back(
                tx, user_id=event.line_user_id, ticket_id=event.ticket_id, at=event.at
            )

        await ctx.transaction(save)
