"""The helpdesk's read models of other services' events, shown to staff beside a ticket.

All handlers are retried on failure: each is an idempotent upsert recorded with its event id.
"""

from __future__ import annotations

from services.common.events.contracts.lending import (
    LoanClosed,
    LoanIssued,
    LoanOverdue,
    ParticipantErased,
    SessionAttended,
    SessionBooked,
    SessionBookingCancelled,
    SessionScheduled,
)
from services.common.events.contracts.line import AccountLinked, AccountUnlinked, SendRequested
from services.common.events.envelope import Envelope
from services.common.kafka.streams import HandlerContext
from services.common.store import Tx
from services.helpdesk.store import ContextRepository

DAICHAN_PURPOSE = "ai_chat.reply"


class ContextHandlers:
    def __init__(self, *, context: ContextRepository) -> None:
        self._context = context

    async def on_account_linked(
        self, envelope: Envelope[AccountLinked], ctx: HandlerContext
    ) -> None:
        data = envelope.data

        async def work(tx: Tx) -> None:
            await self._context.link(
                tx, line_user_id=data.user_id, participant_id=data.participant_id, at=data.linked_at
            )

        await ctx.transaction(work)

    async def on_account_unlinked(
        self, envelope: Envelope[AccountUnlinked], ctx: HandlerContext
    ) -> None:
        data = envelope.data

        async def work(tx: Tx) -> None:
            await self._context.unlink(
                tx, line_user_id=data.user_id, participant_id=data.participant_id
            )

        await ctx.transaction(work)

    async def on_send_requested(
        self, envelope: Envelope[SendRequested], ctx: HandlerContext
    ) -> None:
        # Only Dai-chan's answers matter here; everything else on line.outbound is skipped.
        data = envelope.data
        if data.purpose != DAICHAN_PURPOSE:
            return
        text = "\n".join(m.text for m in data.messages)

        async def work(tx: Tx) -> None:
            await self._context.add_turn(
                tx,
                turn_id=str(envelope.id),
                line_user_id=data.user_id,
                role="daichan",
                text=text,
                at=envelope.occurred_at,
            )

        await ctx.transaction(work)

    async def on_loan_issued(self, envelope: Envelope[LoanIssued], ctx: HandlerContext) -> None:
        data = envelope.data

        async def work(tx: Tx) -> None:
            await self._context.upsert_loan(
                tx,
                data.loan_id,
                {
                    "participant_id": data.participant_id,
                    "cohort_id": data.cohort_id,
                    "device_model": data.device_model,
                    "issued_on": data.issued_on.isoformat(),
                    "due_on": data.due_on.isoformat(),
                    "state": "active",
                },
            )

        await ctx.transaction(work)

    async def on_loan_closed(self, envelope: Envelope[LoanClosed], ctx: HandlerContext) -> None:
        data = envelope.data

        async def work(tx: Tx) -> None:
            await self._context.upsert_loan(
                tx,
                data.loan_id,
                {
                    "participant_id": data.participant_id,
                    "cohort_id": data.cohort_id,
                    "state": data.outcome.value,
                    "closed_on": data.closed_on.isoformat(),
                    "days_overdue": 0,
                },
            )

        await ctx.transaction(work)

    async def on_loan_overdue(self, envelope: Envelope[LoanOverdue], ctx: HandlerContext) -> None:
        data = envelope.data

        async def work(tx: Tx) -> None:
            await self._context.upsert_loan(
                tx,
                data.loan_id,
                {
                    "participant_id": data.participant_id,
                    "cohort_id": data.cohort_id,
                    "due_on": data.due_on.isoformat(),
                    "days_overdue": data.days_overdue,
                    "overdue_stage": data.stage,
                    "state": "overdue",
                },
            )

        await ctx.transaction(work)

    async def on_session_scheduled(
        self, envelope: Envelope[SessionScheduled], ctx: HandlerContext
    ) -> None:
        data = envelope.data

        async def work(tx: Tx) -> None:
            await self._context.upsert_session(
                tx,
                data.session_id,
                {
                    "kind": data.kind.value,
                    "title": data.title,
                    "venue": data.venue,
                    "starts_at": data.starts_at,
                    "ends_at": data.ends_at,
                    "cancelled": data.cancelled,
                },
            )

        await ctx.transaction(work)

    async def on_session_booked(
        self, envelope: Envelope[SessionBooked], ctx: HandlerContext
    ) -> None:
        data = envelope.data

        async def work(tx: Tx) -> None:
            await self._context.set_booking(
                tx,
                session_id=data.session_id,
                participant_id=data.participant_id,
                values={"booking": "booked", "booked_at": data.booked_at},
            )

        await ctx.transaction(work)

    async def on_session_booking_cancelled(
        self, envelope: Envelope[SessionBookingCancelled], ctx: HandlerContext
    ) -> None:
        data = envelope.data

        async def work(tx: Tx) -> None:
            await self._context.set_booking(
                tx,
                session_id=data.session_id,
                participant_id=data.participant_id,
                values={"booking": "cancelled"},
            )

        await ctx.transaction(work)

    async def on_session_attended(
        self, envelope: Envelope[SessionAttended], ctx: HandlerContext
    ) -> None:
        data = envelope.data

        async def work(tx: Tx) -> None:
            await self._context.set_booking(
                tx,
                session_id=data.session_id,
                participant_id=data.participant_id,
                values={"booking": "attended" if data.attended else "absent"},
            )

        await ctx.transaction(work)

    async def on_participant_erased(
        self, envelope: Envelope[ParticipantErased], ctx: HandlerContext
    ) -> None:
        participant_id = envelope.data.participant_id

        async def work(tx: Tx) -> None:
            await self._context.forget_participant(tx, participant_id)

        await ctx.transaction(work)
