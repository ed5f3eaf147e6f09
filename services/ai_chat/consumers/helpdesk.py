"""`helpdesk.events`: Dai-chan's own record of who has a person at the helpdesk right now.

line_gateway stamps later inbound events with the mode too, but Dai-chan keeps its own record so
it stays silent whatever order the two learn of a hand-over in.
"""

from __future__ import annotations

from services.ai_chat.store.seniors import SeniorRepository
from services.common.events.contracts.helpdesk import (
    ConversationHandedBack,
    ConversationHandedOver,
    StaffReplied,
)
from services.common.events.envelope import Envelope
from services.common.store import Tx


class HelpdeskHandlers:
    def __init__(self, *, seniors: SeniorRepository) -> None:
        self._seniors = seniors

    async def on_handed_over(self, envelope: Envelope[ConversationHandedOver], tx: Tx) -> None:
        # Retried on failure (MongoDB only): adding the ticket id again changes nothing.
        event = envelope.data
        await self._seniors.handed_over(tx, user_id=event.line_user_id, ticket_id=event.ticket_id)

    async def on_handed_back(self, envelope: Envelope[ConversationHandedBack], tx: Tx) -> None:
        # Retried on failure (MongoDB only): removing the ticket id again changes nothing.
        event = envelope.data
        await self._seniors.handed_back(
            tx, user_id=event.line_user_id, ticket_id=event.ticket_id, at=event.at
        )

    async def on_staff_replied(self, envelope: Envelope[StaffReplied], tx: Tx) -> None:
        # Retried on failure (MongoDB only): ending a wait that is over already changes nothing.
        # A person answered, so the senior's next message is theirs, not owed a "please wait".
        event = envelope.data
        senior = await self._seniors.get(event.line_user_id, tx)
        wait = senior.human.wait_answered(event.at)
        if wait is not None:
            await self._seniors.end_wait(tx, user_id=event.line_user_id, wait=wait)
