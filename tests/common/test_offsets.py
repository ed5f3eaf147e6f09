"""The offset rule: an ack goes on only when every lower offset of its partition is done."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.kafka.offsets import ContiguousAcks

P = ("line.outbound", 0)
Q = ("line.outbound", 1)


@dataclass(eq=False)
class Delivery:
    """One delivery of one message: equal only to itself, as faust's messages are."""

    offset: int


def received(acks: ContiguousAcks[Delivery], partition: object, *offsets: int) -> list[Delivery]:
    deliveries = [Delivery(offset) for offset in offsets]
    for delivery in deliveries:
        acks.received(partition, delivery.offset, delivery)
    return deliveries


def done(acks: ContiguousAcks[Delivery], partition: object, delivery: Delivery) -> list[int]:
    return [d.offset for d in acks.done(partition, delivery.offset, delivery)]


def test_one_message_in_flight_at_the_head_holds_back_everything_after_it() -> None:
    # The case faust commits past: committed 100, acked 101..103, 100 still being handled.
    acks: ContiguousAcks[Delivery] = ContiguousAcks()
    m100, m101, m102, m103 = received(acks, P, 100, 101, 102, 103)

    assert done(acks, P, m101) == []
    assert done(acks, P, m103) == []
    assert done(acks, P, m102) == []
    assert acks.waiting(P) == [100, 101, 102, 103]

    assert done(acks, P, m100) == [100, 101, 102, 103]
    assert acks.waiting(P) == []


def test_releases_stop_at_the_first_offset_still_in_flight() -> None:
    acks: ContiguousAcks[Delivery] = ContiguousAcks()
    m5, m6, m7, _m8 = received(acks, P, 5, 6, 7, 8)
    assert done(acks, P, m5) == [5]
    assert done(acks, P, m7) == []
    assert done(acks, P, m6) == [6, 7]
    assert acks.waiting(P) == [8]


def test_a_repeated_completion_releases_nothing_twice() -> None:
    acks: ContiguousAcks[Delivery] = ContiguousAcks()
    m1, m2 = received(acks, P, 1, 2)
    assert done(acks, P, m2) == []
    assert done(acks, P, m2) == []
    assert done(acks, P, m1) == [1, 2]
    assert done(acks, P, m1) == []


def test_partitions_are_independent() -> None:
    acks: ContiguousAcks[Delivery] = ContiguousAcks()
    _p0, p1 = received(acks, P, 0, 1)
    q0, _q1 = received(acks, Q, 0, 1)
    assert done(acks, Q, q0) == [0]
    assert done(acks, P, p1) == []
    assert acks.waiting(P) == [0, 1]
    assert acks.waiting(Q) == [1]


def test_gaps_in_offsets_are_fine_only_offsets_received_count() -> None:
    # Transaction markers or compaction leave holes; the order received is what matters.
    acks: ContiguousAcks[Delivery] = ContiguousAcks()
    m10, m13, _m20 = received(acks, P, 10, 13, 20)
    assert done(acks, P, m13) == []
    assert done(acks, P, m10) == [10, 13]


def test_an_ack_for_a_message_no_handler_received_is_refused() -> None:
    # faust acks messages it skipped itself (from before a rebalance); they are fetched again.
    acks: ContiguousAcks[Delivery] = ContiguousAcks()
    [m3] = received(acks, P, 3)
    assert done(acks, P, Delivery(4)) == []
    assert done(acks, Q, m3) == []
    assert done(acks, P, Delivery(3)) == []  # another delivery at the same offset
    assert acks.waiting(P) == [3]


def test_a_revoked_partition_starts_afresh_and_late_completions_are_ignored() -> None:
    acks: ContiguousAcks[Delivery] = ContiguousAcks()
    m40, m41 = received(acks, P, 40, 41)
    acks.forget([P])
    assert done(acks, P, m41) == []
    assert done(acks, P, m40) == []

    # Assigned again: fetched from the committed offset, as new deliveries.
    [again40] = received(acks, P, 40)
    assert done(acks, P, m40) == []  # the old delivery's completion counts for nothing
    assert done(acks, P, again40) == [40]


def test_moving_back_on_a_partition_drops_what_was_waiting() -> None:
    # A seek back to the committed offset redelivers what was waiting; the old ones are void.
    acks: ContiguousAcks[Delivery] = ContiguousAcks()
    _m7, _m8, m9 = received(acks, P, 7, 8, 9)
    [again7] = received(acks, P, 7)
    assert acks.waiting(P) == [7]
    assert done(acks, P, m9) == []
    assert done(acks, P, again7) == [7]
