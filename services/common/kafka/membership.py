"""Leaving the consumer group on purpose, as a static member (KIP-345).

Our consumers are static group members (`group.instance.id`, streams.py): a restarted instance
takes its partitions back without a rebalance. The price is that a static member that stops sends
no LeaveGroup (aiokafka, like the Java client, skips it for static members on purpose: a restart
should not move partitions). So an instance stopped for a rolling restart or a scale-down keeps
its partitions, unread, until it is back or until the broker expires it after
`session.timeout.ms` (10 s) and rebalances: every answer on those partitions waits that long.

KIP-345 gives the way out that Kafka Streams and the Java AdminClient
(`removeMembersFromConsumerGroup`) use: a LeaveGroup (version 3 and up) naming the member by its
`group.instance.id` rather than its member id. aiokafka 0.14 only has LeaveGroup v0/v1 (by member
id, which its consumer forgets on close), so the request is declared here from the Kafka protocol
(LeaveGroup v3: group id, then an array of member identities; its response adds each member's
error) and sent with aiokafka's client. Sent once the member has stopped fetching and committed
its last offsets, it makes the coordinator rebalance at once, and the other instances take the
partitions from those offsets. A crash sends nothing (the session timeout covers it), and so
does a member the broker already expired (UNKNOWN_MEMBER_ID: nothing to remove).
"""

from __future__ import annotations

import asyncio
from typing import cast

from aiokafka.client import AIOKafkaClient, CoordinationType
from aiokafka.errors import KafkaError, UnknownMemberIdError, for_code
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import Array, Int16, Int32, Schema, String

from services.common.logging import get_logger

log = get_logger(__name__)

LEAVE_GROUP = 13
# Kafka unreachable at shutdown must not hold the rest of it up; the session timeout remains.
LEAVE_TIMEOUT_SECONDS = 5.0
# The member id a LeaveGroup by `group.instance.id` carries (JoinGroupRequest.UNKNOWN_MEMBER_ID).
UNKNOWN_MEMBER_ID = ""


class LeaveGroupResponseV3(Response):  # type: ignore[misc]  # aiokafka ships no types
    API_KEY = LEAVE_GROUP
    API_VERSION = 3
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("error_code", Int16),
        (
            "members",
            Array(
                ("member_id", String("utf-8")),
                ("group_instance_id", String("utf-8")),
                ("error_code", Int16),
            ),
        ),
    )


class LeaveGroupRequestV3(RequestStruct):  # type: ignore[misc]
    API_KEY = LEAVE_GROUP
    API_VERSION = 3
    RESPONSE_TYPE = LeaveGroupResponseV3
    SCHEMA = Schema(
        ("group_id", String("utf-8")),
        ("members", Array(("member_id", String("utf-8")), ("group_instance_id", String("utf-8")))),
    )


class RemoveStaticMember(Request[LeaveGroupRequestV3]):  # type: ignore[misc]
    """LeaveGroup for one static member, named by its `group.instance.id` (brokers 2.4 and up)."""

    API_KEY = LEAVE_GROUP

    def __init__(self, group: str, instance_id: str) -> None:
        self.group = group
        self.instance_id = instance_id

    def build(self, request_struct_class: type[LeaveGroupRequestV3]) -> LeaveGroupRequestV3:
        return request_struct_class(self.group, [(UNKNOWN_MEMBER_ID, self.instance_id)])


def member_error(response: LeaveGroupResponseV3, instance_id: str) -> type[KafkaError] | None:
    """The error of the removal of `instance_id` (None if it left), the group's error first."""
    codes = [response.error_code] + [
        error_code
        for _member_id, group_instance_id, error_code in response.members
        if group_instance_id == instance_id
    ]
    found = next((code for code in codes if code), None)
    return None if found is None else cast(type[KafkaError], for_code(found))


async def leave_group(*, bootstrap_servers: str, group: str, instance_id: str) -> bool:
    """Remove the static member `instance_id` from `group`; True if it was a member and left.

    Best effort, like every LeaveGroup: if it fails, the session timeout still ends the member.
    """
    client = AIOKafkaClient(
        bootstrap_servers=bootstrap_servers,
        client_id=f"{instance_id}-leave",
        request_timeout_ms=int(LEAVE_TIMEOUT_SECONDS * 1000),
    )
    try:
        # Bounded: shutdown goes on to the outbox relay's last round and the producer's flush.
        async with asyncio.timeout(LEAVE_TIMEOUT_SECONDS):
            await client.bootstrap()
            coordinator = await client.coordinator_lookup(CoordinationType.GROUP, group)
            response = await client.send(coordinator, RemoveStaticMember(group, instance_id))
    except (KafkaError, TimeoutError) as exc:
        log.warning("could not leave the consumer group", group=group, error=repr(exc))
        return False
    finally:
        await client.close()
    error = member_error(response, instance_id)
    if error is UnknownMemberIdError:
        log.info("static member already gone from its group", group=group)
        return False
    if error is not None:
        log.warning("could not leave the consumer group", group=group, error=error.__name__)
        return False
    log.info("left the consumer group", group=group, instance_id=instance_id)
    return True
