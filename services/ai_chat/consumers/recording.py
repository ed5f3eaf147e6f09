"""Writing down what Dai-chan decided: state, turns, the send and the help request, atomically.

This is the commit step of the inbound handlers: `Dialogue` decides outside any transaction
(`domain/outcome.py`), and what it decided is written here in the framework's one transaction,
with the processed-event claim. The command ids are derived from the inbound event id, so a
redelivered event can neither send twice nor open a second help request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID, uuid5

from services.ai_chat.domain.outcome import Inbound, Outcome
from services.ai_chat.domain.seniors import Senior, Stamp
from services.ai_chat.metrics import REPLIES, SKIPPED_MESSAGES
from services.ai_chat.store.seniors import SeniorRepository
from services.common.events.contracts.helpdesk import HelpRequested
from services.common.events.contracts.line import SendRequested
from services.common.events.envelope import Envelope, new_event
from services.common.kafka.handling import Commit
from services.common.kafka.topics import HELPDESK_REQUESTS, LINE_OUTBOUND
from services.common.store import Tx
from services.common.time import as_utc, utcnow

SOURCE = "ai_chat"
# Deterministic command ids: the reply to a message has the same id however often it is computed.
REPLY_NAMESPACE = UUID("0c9b8f8e-1f7e-4a8e-b4a4-2f3d0f5a6e21")
HELP_NAMESPACE = UUID("9a4c2e61-7d3b-4f58-8c1a-3e5f6b7d8a90")


def reply_command_id(inbound_event_id: UUID) -> UUID:
    return uuid5(REPLY_NAMESPACE, str(inbound_event_id))


def help_request_id(inbound_event_id: UUID) -> str:
    return f"ai_chat:{inbound_event_id}"


class OutcomeRecorder:
    def __init__(
        self,
        *,
        seniors: SeniorRepository,
        handover_pending_timeout: timedelta,
        keep_turns: int,
    ) -> None:
        self._seniors = seniors
        self._pending_timeout = handover_pending_timeout
        self._keep_turns = keep_turns

    def commit(self, *, cause: Envelope[Any], inbound: Inbound, outcome: Outcome) -> Commit:
        """What the framework commits for `outcome`, decided about `inbound` (from `cause`)."""
        outcome.changes.turns = outcome.turns
        if inbound.stamped:
            outcome.changes.participant = Stamp(inbound.participant_id)
        outcome.changes.keep_turns = self._keep_turns
        return Commit(partial(self.record, cause=cause, inbound=inbound, outcome=outcome))

    async def record(
        self, tx: Tx, *, cause: Envelope[Any], inbound: Inbound, outcome: Outcome
    ) -> None:
        user_id = inbound.user_id
        # A plain answer must not go out if a person took the conversation while the model was
        # thinking; safety guidance and hand-over notices always go.
        wait = outcome.acknowledges
        recheck = (
            bool(outcome.messages) and not outcome.safety and outcome.help is None and wait is None
        )
        # One round trip records the turns and state and returns the state before them, for the
        # re-check; a redelivery never gets here (the event id is claimed first).
        before = await self._seniors.save(tx, user_id=user_id, changes=outcome.changes)
        if recheck and before.human.holds(now=utcnow(), pending_timeout=self._pending_timeout):
            tx.after_commit(SKIPPED_MESSAGES.labels("handed_over_meanwhile").inc)
            return
        if wait is not None and not _still_owed(before, wait):
            # Another message acknowledged this wait first, or it ended: one per wait, at most.
            tx.after_commit(SKIPPED_MESSAGES.labels("already_acknowledged").inc)
            return
        if outcome.help is not None:
            request = HelpRequested(
                request_id=help_request_id(inbound.event_id),
                line_user_id=user_id,
                participant_id=inbound.participant_id,
                reason=outcome.help.reason,
                priority=outcome.help.priority,
                summary=outcome.help.summary,
                handover=outcome.help.handover,
            )
            await tx.emit(
                topic=HELPDESK_REQUESTS,
                key=user_id,
                event=new_event(
                    request,
                    source=SOURCE,
                    cause=cause,
                    event_id=uuid5(HELP_NAMESPACE, request.request_id),
                ),
            )
        if outcome.messages:
            command = SendRequested(
                user_id=user_id,
                messages=outcome.messages,
                reply_token=inbound.reply_token,
                reply_token_expires_at=inbound.reply_token_expires_at,
                priority=outcome.priority,
                purpose=outcome.purpose,
            )
            await tx.emit(
                topic=LINE_OUTBOUND,
                key=user_id,
                event=new_event(
                    command,
                    source=SOURCE,
                    cause=cause,
                    event_id=reply_command_id(inbound.event_id),
                ),
            )
        if outcome.skipped:
            tx.after_commit(SKIPPED_MESSAGES.labels(outcome.skipped).inc)
        elif outcome.messages:
            tx.after_commit(REPLIES.labels(outcome.responder, outcome.kind).inc)


def _still_owed(before: Senior, wait: datetime) -> bool:
    """Whether the stored state, as this transaction found it, still owes `wait` its one
    acknowledgement (the same wait, not yet acknowledged)."""
    human = before.human
    return (
        human.waiting_since is not None
        and as_utc(human.waiting_since) == as_utc(wait)
        and not human.acknowledged_wait(wait)
    )
