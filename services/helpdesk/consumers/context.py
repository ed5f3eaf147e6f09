"""The helpdesk's read models of other services' events, shown to staff beside a ticket.

All handlers are retried on failure (MongoDB only): each is an idempotent upsert, and the
framework claims its event id in the same transaction. Which participant a LINE user is comes
stamped on their messages (`consumers/inbound.py`), not from a link projection. Loans and sessions (`lending.events`) are
kept by the shared programme projection's handlers (`services/common/programme`).
"""

from __future__ import annotations

from functools import partial

from services.common.events.contracts.line import SendRequested
from services.common.events.envelope import Envelope
from services.common.kafka.handling import Commit
from services.helpdesk.store import ContextRepository

# Everything Dai-chan sends: answers, programme answers, hand-over and safety texts, check-ins.
DAICHAN_PURPOSES = "ai_chat."
SAFETY_PURPOSE = "ai_chat.safety"


class ContextHandlers:
    def __init__(self, *, context: ContextRepository) -> None:
        self._context = context

    async def on_send_requested(self, envelope: Envelope[SendRequested]) -> Commit | None:
        # Retried on failure (MongoDB only): a turn keyed by the command id. Only what Dai-chan
        # said matters here (staff see what the senior was told, the fixed safety texts marked);
        # everything else on line.outbound changes nothing, so it opens no transaction (and a
        # redelivered one is skipped again).
        data = envelope.data
        if not data.purpose.startswith(DAICHAN_PURPOSES):
            return None
        return Commit(
            partial(
                self._context.add_turn,
                turn_id=str(envelope.id),
                line_user_id=data.user_id,
                role="daichan",
                text="\n".join(m.text for m in data.messages),
                at=envelope.occurred_at,
                safety=data.purpose == SAFETY_PURPOSE,
            )
        )
