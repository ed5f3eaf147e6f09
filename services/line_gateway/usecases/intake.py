"""Accepting a verified webhook: a body's new events are recorded and queued for Kafka atomically.

One MongoDB transaction per body, or per group of bodies (bodies that arrive while a commit is
under way are committed together in the next: group commit), claims the new `webhookEventId`s,
updates the users, and stages what follows in the outbox: the normalised events on `line.inbound`, and any
answer the gateway gives itself (link results, the group note, link help) as a
`line.send.requested` on `line.outbound`, sent by the gateway's sender with the reply token
(durable: see domain/answers.py). The writes are batched, whatever the body's size: one read
of the ids already accepted and of the users together (`Tx.find_among`), then one insert of the
ids, one ordered bulk write of the user changes and one insert into the outbox. After the
commit, the loading animation starts in the background (best effort: domain/loading.py).
Nothing here waits for LINE, so the webhook answers well within LINE's two seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from services.common.events.contracts.line import (
    MAX_TEXT_LENGTH,
    ConversationMode,
    MessageReceived,
    PostbackReceived,
    UserFollowed,
    UserUnfollowed,
)
from services.common.events.envelope import Envelope, new_event
from services.common.group_commit import GroupCommit
from services.common.kafka.topics import LINE_INBOUND, LINE_OUTBOUND, TopicSpec
from services.common.logging import get_logger
from services.common.metrics import REJECTED_INPUT
from services.common.store import MongoStore, Tx
from services.common.usecases import commit
from services.line_gateway.domain import texts
from services.line_gateway.domain.answers import SOURCE, answer, group_note
from services.line_gateway.domain.linking import code_in
from services.line_gateway.domain.webhook import (
    WebhookEvent,
    event_type_label,
    normalise,
    plan_body,
    reply_token_expiry,
)
from services.line_gateway.metrics import LINK_ATTEMPTS, WEBHOOK_EVENTS
from services.line_gateway.store import (
    ChatGroupRepository,
    LineUserRepository,
    WebhookEventRepository,
)
from services.line_gateway.store.line_users import LineUser, UserChange
from services.line_gateway.store.webhook_events import DuplicateWebhookEvent
from services.line_gateway.usecases.linking import AccountLinking
from services.line_gateway.usecases.loading import LoadingAnimation

LINK_HELP_POSTBACK = "line:link_help"
# A body races a concurrent one (LINE redelivering it) at most this often before it gives up.
MAX_BODY_ATTEMPTS = 3
# Bodies committed together at most: a group's transaction stays well under a second.
MAX_GROUP_BODIES = 64

log = get_logger(__name__)


@dataclass(frozen=True)
class IntakeResult:
    published: int
    duplicates: int
    ignored: int


@dataclass
class _Recorded:
    outcomes: list[tuple[str, str]]  # (event type, outcome) per event recorded or left out
    duplicates: int


def _result(recorded: _Recorded) -> IntakeResult:
    """A body's answer, counted once its transaction committed."""
    published = ignored = 0
    for event_type, outcome in recorded.outcomes:
        WEBHOOK_EVENTS.labels(event_type_label(event_type), outcome).inc()
        if outcome.startswith("link_"):
            LINK_ATTEMPTS.labels(outcome.removeprefix("link_")).inc()
        if outcome == "published":
            published += 1
        elif outcome != "duplicate":
            ignored += 1
    return IntakeResult(published=published, duplicates=recorded.duplicates, ignored=ignored)


@dataclass
class _Staged:
    """A body's user changes and outbox entries, written in one batch each (in order)."""

    users: list[UserChange] = field(default_factory=list)
    emits: list[tuple[TopicSpec, str, Envelope[Any]]] = field(default_factory=list)

    async def flush(self, tx: Tx, repository: LineUserRepository) -> None:
        await repository.apply(tx, self.users)
        await tx.emit_all(self.emits)
        self.users, self.emits = [], []


class WebhookIntake:
    def __init__(
        self,
        *,
        store: MongoStore,
        events: WebhookEventRepository,
        users: LineUserRepository,
        groups: ChatGroupRepository,
        linking: AccountLinking,
        loading: LoadingAnimation,
        reply_token_ttl: timedelta,
    ) -> None:
        self._store = store
        self._events = events
        self._users = users
        self._groups = groups
        self._linking = linking
        self._loading = loading
        self._reply_token_ttl = reply_token_ttl
        self._bodies: GroupCommit[list[WebhookEvent], IntakeResult] = GroupCommit(
            self._commit_bodies, max_items=MAX_GROUP_BODIES
        )

    async def accept(self, events: list[WebhookEvent]) -> IntakeResult:
        """Record a body; answers once it is committed. Bodies that arrive while a commit is
        under way wait for the next one and are committed together (group commit): one
        transaction for every body waiting, so concurrent requests share their round trips."""
        if not events:  # LINE's verification request: nothing to record
            return IntakeResult(published=0, duplicates=0, ignored=0)
        return await self._bodies.add(events)

    async def _commit_bodies(
        self, bodies: Sequence[list[WebhookEvent]]
    ) -> list[IntakeResult | Exception]:
        """A group's bodies in one transaction; if it fails, each body alone, as it came, so one
        body's failure fails no other body's answer."""
        try:
            return list(await self._commit_group(list(bodies)))
        except Exception as error:
            if len(bodies) == 1:
                return [error]
        alone: list[IntakeResult | Exception] = []
        for events in bodies:
            try:
                alone.append((await self._commit_group([events]))[0])
            except Exception as error:
                alone.append(error)
        return alone

    async def _commit_group(self, bodies: list[list[WebhookEvent]]) -> list[IntakeResult]:
        for attempt in range(1, MAX_BODY_ATTEMPTS + 1):
            try:
                recorded = await commit(self._store, partial(self._record_bodies, bodies=bodies))
                break
            except DuplicateWebhookEvent:
                # A concurrent body claimed one of these ids and committed first (another
                # process): the next attempt reads it as accepted and leaves it out.
                if attempt == MAX_BODY_ATTEMPTS:
                    raise
        return [_result(body) for body in recorded]

    async def _record_bodies(self, tx: Tx, *, bodies: list[list[WebhookEvent]]) -> list[_Recorded]:
        """The bodies' writes, in one transaction; each event's outcome (the metric's label)."""
        events = [event for body in bodies for event in body]
        owner = [index for index, body in enumerate(bodies) for _ in body]
        recorded = [_Recorded(outcomes=[], duplicates=0) for _ in bodies]
        senders = sorted(
            {
                e.source.user_id
                for e in events
                if e.source and e.source.type == "user" and e.source.user_id
            }
        )
        # One round trip for both reads: the ids already recorded and the senders as they are.
        accepted, known = await tx.find_among(
            [self._events.among([e.webhook_event_id for e in events]), self._users.among(senders)]
        )
        plan = plan_body(events, self._events.accepted_from(accepted))
        for position in plan.repeated:
            recorded[owner[position]].outcomes.append((events[position].type, "duplicate"))
            recorded[owner[position]].duplicates += 1
        fresh = [events[position] for position in plan.fresh]
        if not fresh:
            return recorded
        # A duplicate id aborts the transaction; it must propagate, not be swallowed here.
        await self._events.accept_all(tx, [(e.webhook_event_id, e.type) for e in fresh])
        users = self._users.users_from(known)
        staged = _Staged()
        for position, event in zip(plan.fresh, fresh, strict=True):
            outcome = await self._record(tx, event, users, staged)
            recorded[owner[position]].outcomes.append((event.type, outcome))
        await staged.flush(tx, self._users)
        return recorded

    async def _record(
        self, tx: Tx, event: WebhookEvent, users: dict[str, LineUser], staged: _Staged
    ) -> str:
        """One event's writes, staged for the body's batch; the outcome as the metric's label.

        A link code or a group chat reads and writes more than its user (codes, groups): what is
        staged goes first, and the event runs on its own in the transaction, as it came."""
        user_id = event.source.user_id if event.source and event.source.type == "user" else None
        user = users.get(user_id) if user_id else None
        normalised = normalise(
            event,
            mode=user.mode if user else ConversationMode.BOT,
            reply_token_ttl=self._reply_token_ttl,
            participant_id=user.participant_id if user else None,
        )
        if normalised.group_chat is not None:
            await staged.flush(tx, self._users)
            return await self._group_chat(tx, event, *normalised.group_chat)
        if normalised.contract is None or normalised.user_id is None:
            return f"ignored_{normalised.ignored_because}"
        contract = normalised.contract
        if isinstance(contract, MessageReceived):
            if contract.text_truncated_from is not None:
                REJECTED_INPUT.labels("line_webhook", "text_truncated").inc()
                log.warning(
                    "webhook text cut to LINE's limit",
                    length=contract.text_truncated_from,
                    kept=MAX_TEXT_LENGTH,
                )
            staged.users.append(self._users.message_recorded(contract.user_id, contract.sent_at))
            code = code_in(contract.text) if contract.message_type == "text" else None
            if code is not None:
                # A link code is for the gateway only: never forwarded to Dai-chan.
                await staged.flush(tx, self._users)
                current = await self._users.get(contract.user_id, tx)
                outcome = await self._linking.attempt(tx, contract, code=code, user=current)
                # A link moves the participant to this sender and may take it from another
                # sender (their old phone) or this sender's earlier participant: the events
                # after it, in this body or group, are stamped with the link as it is now.
                users.update(await self._users.get_many(tx, sorted({*users, contract.user_id})))
                return f"link_{outcome.value}"
            tx.after_commit(partial(self._loading.after_commit, contract))
        elif isinstance(contract, PostbackReceived):
            staged.users.append(self._users.postback_recorded(contract.user_id, contract.sent_at))
            if contract.data == LINK_HELP_POSTBACK:
                help_answer = answer(
                    contract, text=texts.LINK_HELP, purpose="line_gateway.link_help"
                )
                staged.emits.append((LINE_OUTBOUND, contract.user_id, help_answer))
        elif isinstance(contract, UserFollowed):
            staged.users.append(
                self._users.follow_recorded(
                    contract.user_id, contract.sent_at, is_unblocked=contract.is_unblocked
                )
            )
        elif isinstance(contract, UserUnfollowed):
            staged.users.append(self._users.unfollow_recorded(contract.user_id, contract.sent_at))
        staged.emits.append(
            (
                LINE_INBOUND,
                normalised.user_id,
                new_event(contract, source=SOURCE, occurred_at=contract.sent_at),
            )
        )
        return "published"

    async def _group_chat(self, tx: Tx, event: WebhookEvent, chat_id: str, kind: str) -> str:
        """Groups and rooms get one polite note, once, telling members to talk one to one."""
        if not await self._groups.note_due(tx, chat_id=chat_id, kind=kind, at=event.occurred_at):
            return "ignored_group_chat"
        note = group_note(
            webhook_event_id=event.webhook_event_id,
            chat_id=chat_id,
            text=texts.GROUP_NOTE,
            reply_token=event.reply_token,
            reply_token_expires_at=reply_token_expiry(event, self._reply_token_ttl),
        )
        await tx.emit(topic=LINE_OUTBOUND, key=chat_id, event=note)
        return "group_note"
