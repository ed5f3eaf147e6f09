"""The LeaveGroup by `group.instance.id` (KIP-345) that a deliberately stopped static member sends:
its bytes as the Kafka protocol defines LeaveGroup v3, and the reading of its answer. On a real
broker: tests/common/test_streams.py (an instance stopped on purpose leaves its group at once)."""

from __future__ import annotations

import asyncio
import struct

import pytest
from aiokafka.errors import NotCoordinatorForGroupError, UnknownMemberIdError

from services.common.kafka import membership
from services.common.kafka.membership import (
    LeaveGroupResponseV3,
    RemoveStaticMember,
    leave_group,
    member_error,
)


def test_the_request_names_the_member_by_its_instance_id_not_its_member_id() -> None:
    # A broker that speaks LeaveGroup v0..v5 gets v3, the first with member identities.
    request = RemoveStaticMember("ai_chat", "ai_chat-host-1").prepare({13: (0, 5)})
    assert (request.API_KEY, request.API_VERSION) == (13, 3)
    # group_id STRING, members ARRAY of (member_id STRING = "" (unknown), group_instance_id STRING)
    expected = (
        struct.pack(">h", 7)
        + b"ai_chat"
        + struct.pack(">i", 1)
        + struct.pack(">h", 0)
        + struct.pack(">h", 14)
        + b"ai_chat-host-1"
    )
    assert request.encode() == expected


def response(group_error: int, *members: tuple[str, str, int]) -> LeaveGroupResponseV3:
    return LeaveGroupResponseV3(0, group_error, list(members))


def test_the_answer_is_read_for_the_member_that_left() -> None:
    assert member_error(response(0, ("m-1", "g-1", 0)), "g-1") is None
    # Already expired by the broker: nothing to remove.
    assert member_error(response(0, ("", "g-1", 25)), "g-1") is UnknownMemberIdError
    # Another instance's error is not ours; a group-level error is everyone's.
    assert member_error(response(0, ("", "g-2", 25), ("m-1", "g-1", 0)), "g-1") is None
    assert member_error(response(16), "g-1") is NotCoordinatorForGroupError


async def test_a_refused_connection_is_reported_not_raised() -> None:
    # Nothing listens on port 1.
    left = await leave_group(bootstrap_servers="127.0.0.1:1", group="g", instance_id="g-1")
    assert left is False


async def test_a_kafka_that_never_answers_does_not_hold_up_the_shutdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A listener that takes the connection and never says a word: the leave gives up in time.
    monkeypatch.setattr(membership, "LEAVE_TIMEOUT_SECONDS", 0.5)
    silent = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    try:
        started = asyncio.get_running_loop().time()
        left = await leave_group(
            bootstrap_servers=f"127.0.0.1:{port}", group="g", instance_id="g-1"
        )
        took = asyncio.get_running_loop().time() - started
    finally:
        silent.close()
    assert left is False
    assert took < 5.0  # aiokafka's own request timeout would be 40 s
