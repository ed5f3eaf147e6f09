"""A senior sends a link code: check it and link their LINE to their participant, inside the
webhook event's transaction (domain/linking.py decides; this loads and writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.common.events.contracts.line import AccountLinked, MessageReceived
from services.common.events.envelope import new_event
from services.common.kafka.topics import LINE_INBOUND, LINE_OUTBOUND
from services.common.link_codes import link_code_digest
from services.common.logging import get_logger, user_ref
from services.common.store import Tx
from services.common.time import utcnow
from services.line_gateway.domain.answers import SOURCE, answer
from services.line_gateway.domain.linking import (
    ANSWERS,
    LinkOutcome,
    rate_limited,
    unlinked_by_link,
    verify,
)
from services.line_gateway.store import LineUser, LineUserRepository, LinkCodeRepository

log = get_logger(__name__)


@dataclass(frozen=True)
class LinkingRules:
    max_failures: int
    failure_window: timedelta
    code_secret: str


class AccountLinking:
    def __init__(
        self, *, codes: LinkCodeRepository, users: LineUserRepository, rules: LinkingRules
    ) -> None:
        self._codes = codes
        self._users = users
        self._rules = rules

    async def attempt(
        self, tx: Tx, message: MessageReceived, *, code: str, user: LineUser | None
    ) -> LinkOutcome:
        """Check `code` for the sender, link if it is good, and stage the answer they wait for."""
        now = utcnow()
        user_id = message.user_id
        failures = await self._codes.failures_since(
            tx, user_id=user_id, since=now - self._rules.failure_window
        )
        if rate_limited(failures, max_failures=self._rules.max_failures):
            outcome = LinkOutcome.RATE_LIMITED
        else:
            digest = link_code_digest(secret=self._rules.code_secret, code=code)
            verdict = verify(
                match=await self._codes.find(tx, code_digest=digest),
                now=now,
                linked_participant=user.participant_id if user else None,
            )
            outcome = verdict.outcome
            if outcome is LinkOutcome.LINKED and verdict.code is not None:
                await self._codes.mark_used(tx, code_digest=verdict.code.code_digest, at=now)
                await self._link(
                    tx,
                    user_id=user_id,
                    participant_id=verdict.code.participant_id,
                    previous=user.participant_id if user else None,
                    at=now,
                )
        await self._codes.record_attempt(
            tx, user_id=user_id, at=now, outcome=outcome.value, failed=outcome.failed
        )
        reply = answer(message, text=ANSWERS[outcome], purpose="line_gateway.account_link")
        await tx.emit(topic=LINE_OUTBOUND, key=user_id, event=reply)
        log.info("link attempt", user=user_ref(user_id), outcome=outcome.value)
        return outcome

    async def _link(
        self, tx: Tx, *, user_id: str, participant_id: str, previous: str | None, at: datetime
    ) -> None:
        holder = await self._users.user_linked_to(tx, participant_id)
        for unlinked in unlinked_by_link(
            user_id=user_id, participant_id=participant_id, previous=previous, holder=holder, at=at
        ):
            if unlinked.user_id != user_id:
                await self._users.unlink(tx, user_id=unlinked.user_id)
            await tx.emit(
                topic=LINE_INBOUND,
                key=unlinked.user_id,
                event=new_event(unlinked, source=SOURCE),
            )
        await self._users.link(tx, user_id=user_id, participant_id=participant_id, at=at)
        await tx.emit(
            topic=LINE_INBOUND,
            key=user_id,
            event=new_event(
                AccountLinked(user_id=user_id, participant_id=participant_id, linked_at=at),
                source=SOURCE,
            ),
        )
