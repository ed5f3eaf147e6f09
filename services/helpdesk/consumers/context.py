"""The helpdesk's read models of other services' events, shown to staff beside a ticket.

The recent conversation is filed, not transacted: each turn is keyed by its event and only ever
inserted, so it is its own processed mark, and the turns of concurrent events (any senior, either
topic) share one bulk write (`ConversationFiling`) instead of a claim and a transaction each. Its
handlers return no `Commit`, and their routes read no processed mark first (`recognising` in
`app.py`): a redelivered event files the same turn again, which changes nothing. Which participant a LINE
user is comes stamped on their messages (`consumers/inbound.py`), not from a link projection. Loans
and sessions (`lending.events`) are kept by the shared programme projection's handlers
(`services/common/programme`), claim and transaction per event as before.
"""

from __future__ import annotations

from services.common.events.contracts.line import SendRequested
from services.common.events.envelope import Envelope
from services.common.group_commit import GroupCommit
from services.common.kafka.handling import Commit
from services.helpdesk.store import ContextRepository, ConversationTurn

# Everything Dai-chan sends: answers, programme answers, hand-over and safety texts, check-ins.
DAICHAN_PURPOSES = "ai_chat."
SAFETY_PURPOSE = "ai_chat.safety"
# Turns in one bulk write at most: more than the consumer has in flight (256), so under load a
# group is whatever arrived during the previous write.
FILING_GROUP_MAX = 500


class ConversationFiling:
    """Files conversation turns; concurrent callers share one bulk write (group commit)."""

    def __init__(self, context: ContextRepository, *, max_group: int = FILING_GROUP_MAX) -> None:
        self._group = GroupCommit(context.add_turns, max_items=max_group)

    async def file(self, turn: ConversationTurn) -> None:
        """Returns once the turn is durable; raises (for the framework's retry) if it is not."""
        await self._group.add(turn)


class ContextHandlers:
    def __init__(self, *, filing: ConversationFiling) -> None:
        self._filing = filing

    async def on_send_requested(self, envelope: Envelope[SendRequested]) -> Commit | None:
        # Retried on failure (MongoDB only): a turn keyed by the command id, filed again to no
        # effect. Only what Dai-chan said matters here (staff see what the senior was told, the
        # fixed safety texts marked); everything else on line.outbound changes nothing.
        data = envelope.data
        if data.purpose.startswith(DAICHAN_PURPOSES):
            await self._filing.file(
                ConversationTurn(
                    turn_id=str(envelope.id),
                    line_user_id=data.user_id,
                    role="daichan",
                    text="\n".join(m.text for m in data.messages),
                    at=envelope.occurred_at,
                    safety=data.purpose == SAFETY_PURPOSE,
                )
            )
        return None
