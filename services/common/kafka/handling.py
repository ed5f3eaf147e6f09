"""The consumer protocol: a handler decides, the framework opens the transaction and claims the event.

A route names its handler in one of two forms (ARCHITECTURE.md shows both):

- **apply** — `async def on_x(envelope, tx) -> None`, for a handler that only changes MongoDB
  state. The framework opens one transaction, claims the event id in it *first* and then calls the
  handler: a redelivered event fails the claim (a duplicate key), so no read is needed before it,
  and the claim and the state change commit together or not at all.
- **decide** — `async def on_x(envelope) -> Commit | None`, for a handler with slow outside work (a
  model call, a call to LINE), which must never run inside a transaction. The framework first
  reads whether the event was handled, so a redelivery repeats no outside work; then calls the
  handler outside any transaction; then commits the `Commit` it returned, with the claim, in one
  transaction. A handler that returns `None` changes nothing: no transaction is opened and nothing
  is claimed, so a redelivery runs it again, and what it did outside MongoDB must be safe to
  repeat on its own (a profile refreshed twice, a menu linked twice); each such handler says why.

A decide route may instead **recognise its own redeliveries** (`route(..., decide=on_x,
recognises_redeliveries=True)`, or `recognising(topic, contract, on_x)`): the framework then skips its read of the claim, and the
handler returns `REDELIVERED` for an event it finds finished. This is for a handler whose first
read already tells (a record keyed by the event id that only the transaction claiming the event
writes, so "recorded" and "claimed" are one fact; or the claim itself, `ProcessedEvents.mark`,
read with the handler's own documents in one `MongoStore.find_by_ids`), so that the read of the
claim would be a second round trip before the outside work for the same answer. Its `Commit` is
still committed with the claim, so two deliveries decided at once are still told apart there;
what the handler records *without* the claim (a `PermanentError`'s record) must not read as
finished. A handler with no outside work at all, whose `None` writes only what writing again
leaves unchanged (the helpdesk's filing), recognises its redeliveries trivially: the claim read
would only spare a redelivery its aborted transaction, and costs every first delivery a round
trip.

Work that must follow the commit (a metric, a log line, a budget report) goes to `tx.after_commit`,
so it happens once, and never for an attempt that rolled back or for a duplicate. A handler raises
`PermanentError` when retrying cannot help; it may carry a `Commit` recorded *without* the claim
(the event is dead-lettered, and a replay after the cause is fixed must be handled afresh).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any, Generic, Literal, TypeVar, overload

from services.common.events.envelope import Contract, Envelope
from services.common.kafka.topics import TopicSpec
from services.common.store.mongo import MongoStore, Tx
from services.common.store.processed import AlreadyHandled, ProcessedEvents

C = TypeVar("C", bound=Contract)

Write = Callable[[Tx], Awaitable[None]]


@dataclass(frozen=True)
class Commit:
    """What a handler decided outside any transaction, for the framework to commit with the claim.

    `write` does the decided writes (a handler's method with its decision bound by
    `functools.partial`); it may run more than once (transient transaction errors are retried) and
    must not act outside MongoDB. `lease`, if given, is held from before the transaction opens
    until it ends, e.g. a counter shard no other running transaction may write.
    """

    write: Write
    lease: contextlib.AbstractAsyncContextManager[object] | None = None


class PermanentError(Exception):
    """Retrying cannot help (e.g. LINE refused the request as invalid): dead-letter at once.

    `record`, if given, is committed first *without* claiming the event (say, the failure, for
    whoever waits on it), so that a replay from the dead-letter topic is handled afresh.
    """

    def __init__(self, reason: str, *, record: Commit | None = None) -> None:
        super().__init__(reason)
        self.record = record


class Redelivered(Enum):
    """A decide handler's answer for an event its own records show finished (see the module)."""

    REDELIVERED = "redelivered"


REDELIVERED = Redelivered.REDELIVERED

Apply = Callable[[Envelope[C], Tx], Awaitable[None]]
Decide = Callable[[Envelope[C]], Awaitable[Commit | Redelivered | None]]
Outcome = Literal["handled", "duplicate"]


@dataclass(frozen=True)
class Route(Generic[C]):
    topic: TopicSpec
    contract: type[C]
    apply: Apply[C] | None = None
    decide: Decide[C] | None = None
    recognises_redeliveries: bool = False


@overload
def route(topic: TopicSpec, contract: type[C], *, apply: Apply[C]) -> Route[C]: ...
@overload
def route(
    topic: TopicSpec,
    contract: type[C],
    *,
    decide: Decide[C],
    recognises_redeliveries: bool = False,
) -> Route[C]: ...
def route(
    topic: TopicSpec,
    contract: type[C],
    *,
    apply: Apply[C] | None = None,
    decide: Decide[C] | None = None,
    recognises_redeliveries: bool = False,
) -> Route[C]:
    """Handle `contract` events from `topic` with a handler of one form: `apply` or `decide`;
    `recognises_redeliveries`: the decide handler tells a finished event itself (module doc)."""
    if (apply is None) == (decide is None):
        raise TypeError("a route has exactly one handler: apply= or decide=")
    if recognises_redeliveries and decide is None:
        raise TypeError("only a decide= handler can recognise its own redeliveries")
    return Route(
        topic=topic,
        contract=contract,
        apply=apply,
        decide=decide,
        recognises_redeliveries=recognises_redeliveries,
    )


def recognising(topic: TopicSpec, contract: type[C], decide: Decide[C]) -> Route[C]:
    """A decide route whose handler recognises its own redeliveries (module doc)."""
    return route(topic, contract, decide=decide, recognises_redeliveries=True)


class EventHandling:
    """One consumer group's way of running a handler: outside work first, then one transaction."""

    def __init__(
        self, *, store: MongoStore, group: str, on_commit: Callable[[], None] = lambda: None
    ) -> None:
        self._store = store
        self._group = group
        self._processed = ProcessedEvents(store)
        self._on_commit = on_commit

    async def handle(self, selected: Route[Any], envelope: Envelope[Any]) -> Outcome:
        """Run the route's handler for `envelope`; raises what the handler raised, for retry."""
        if selected.apply is not None:
            return await self.apply(envelope, selected.apply)
        assert selected.decide is not None
        return await self.decide(
            envelope, selected.decide, read_claim=not selected.recognises_redeliveries
        )

    async def apply(self, envelope: Envelope[C], handler: Apply[C]) -> Outcome:
        return await self.commit(envelope, Commit(partial(handler, envelope)))

    async def decide(
        self, envelope: Envelope[C], handler: Decide[C], *, read_claim: bool = True
    ) -> Outcome:
        """`read_claim=False` for a handler that recognises its own redeliveries."""
        if read_claim and await self._processed.contains(group=self._group, event_id=envelope.id):
            return "duplicate"
        try:
            decided = await handler(envelope)
        except PermanentError as refused:
            if refused.record is not None:
                # Unclaimed: if this cannot be written the error is not permanent, and is retried.
                await self._write(refused.record)
            raise
        if decided is None:
            return "handled"
        if decided is REDELIVERED:
            return "duplicate"
        return await self.commit(envelope, decided)

    async def commit(self, envelope: Envelope[Any], decided: Commit) -> Outcome:
        """Claim `envelope` and write what was decided, atomically; "duplicate" if already done.

        The claim comes first, so a redelivery that lost the race aborts before doing any work.
        """

        async def claim_then_write(tx: Tx) -> None:
            await self._processed.claim(
                tx, group=self._group, event_id=envelope.id, event_type=envelope.type
            )
            tx.after_commit(self._on_commit)
            await decided.write(tx)

        try:
            await self._write(Commit(claim_then_write, decided.lease))
        except AlreadyHandled:
            return "duplicate"
        return "handled"

    async def _write(self, decided: Commit) -> None:
        async with decided.lease or contextlib.nullcontext():
            await self._store.transaction(decided.write)
