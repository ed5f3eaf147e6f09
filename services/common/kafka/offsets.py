"""Committing only the highest contiguous handled offset of each partition, with faust committing.

faust-streaming 0.15.3 decides what to commit from the offsets acked so far (`Consumer._new_offset`):
it commits the end of the first run of consecutive acked offsets, and withholds the commit only
when the run starts *more than one* offset past the committed one. One unacked message at the head
is therefore stepped over: committed 100, acked 101..103, commits 104 while 100 is still being
handled (upstream issue faust-streaming#606, fix PR #707, both open). With no commit yet (a new
group) any run is committed, however many messages before it are still in flight. Our lanes finish
messages out of order across seniors, so without a guard a crash loses what was in flight.

The guard is this module: per topic-partition, an ack reaches faust only once every lower offset
received on that partition is done. Faust then only ever sees acked offsets that form one run from
where it last committed, and for that input its rule is right. The gate sits in the consumer's
`ack`, the one door every ack goes through, so it also stops the acks faust gives itself for
messages it skipped without handing them to an agent (events from before a rebalance, or read
while flow was suspended): those offsets are fetched again from the committed position, and until
then nothing past them may be committed.

Faust forgets a partition's acks when the partition is revoked, after in-flight work had its
chance to finish (`stream_wait_empty`); the gate forgets it at the same point. A completion that
arrives later belongs to a message faust no longer tracks and is ignored, so it can never count
towards a later owner's offsets.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, Message

Item = TypeVar("Item")


@dataclass
class _Partition(Generic[Item]):
    # Offsets received and not yet released, in the order received (ascending).
    waiting: deque[int] = field(default_factory=deque)
    items: dict[int, Item] = field(default_factory=dict)
    done: set[int] = field(default_factory=set)
    last_received: int = -1


class ContiguousAcks(Generic[Item]):
    """Per partition, release handled items only in offset order, without gaps.

    `received` is called as each message is handed to a handler, `done` when its handling ends;
    `done` returns the items whose acks may now go on, lowest offset first.
    """

    def __init__(self) -> None:
        self._partitions: dict[Hashable, _Partition[Item]] = {}

    def received(self, partition: Hashable, offset: int, item: Item) -> None:
        state = self._partitions.get(partition)
        if state is None or offset <= state.last_received:
            # A new partition, or the consumer moved back (a seek to the committed offset): what
            # was waiting here will be delivered again, so its old completions must not count.
            state = self._partitions[partition] = _Partition()
        state.waiting.append(offset)
        state.items[offset] = item
        state.last_received = offset

    def done(self, partition: Hashable, offset: int, item: Item) -> list[Item]:
        state = self._partitions.get(partition)
        if state is None or state.items.get(offset) is not item:
            return []  # never received here, or from before a revocation or seek
        state.done.add(offset)
        released: list[Item] = []
        while state.waiting and state.waiting[0] in state.done:
            head = state.waiting.popleft()
            state.done.discard(head)
            released.append(state.items.pop(head))
        return released

    def forget(self, partitions: Iterable[Hashable]) -> None:
        for partition in partitions:
            self._partitions.pop(partition, None)

    def waiting(self, partition: Hashable) -> list[int]:
        """Offsets received on `partition` whose acks are not released yet (lowest first)."""
        state = self._partitions.get(partition)
        return list(state.waiting) if state else []


class OrderedAckConsumer(faust_aiokafka.Consumer):
    """faust's aiokafka consumer whose acks pass through the `ContiguousAcks` gate."""

    @property
    def gate(self) -> ContiguousAcks[Message]:
        return cast(OrderedAckTransport, self.transport).gate

    def ack(self, message: Message) -> bool:
        # Nothing released: a lower offset is still being handled (this ack waits for it), or
        # no handler ever received this message (faust's own ack of a skipped one: refused).
        released = self.gate.done(message.tp, message.offset, message)
        acked = [super(OrderedAckConsumer, self).ack(m) for m in released]
        return any(acked)

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        try:
            await super().on_partitions_revoked(revoked)
        finally:
            self.gate.forget(revoked)


class OrderedAckTransport(faust_aiokafka.Transport):
    """The aiokafka transport, creating `OrderedAckConsumer`s that share one gate."""

    Consumer = OrderedAckConsumer

    def __init__(self, *args: Any, gate: ContiguousAcks[Message], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = gate
