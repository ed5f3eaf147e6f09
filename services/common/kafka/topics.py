"""The platform's topic map: one place that names every topic, its key and who uses it.

`tests/common/test_topic_map.py` keeps it true: the consumers are every service's routes, the
producers every service that publishes to the topic, and the README's topic table says the same.
The README's topic table is written from this list; `ensure_topics` creates them (and their
dead-letter twins) before any service produces or consumes, because brokers here run with
automatic topic creation off so a typo fails loudly instead of creating a stray topic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    key: str
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    purpose: str

    @property
    def dlq(self) -> str:
        return self.name + DLQ_SUFFIX


LINE_INBOUND = TopicSpec(
    name="line.inbound",
    key="LINE user id",
    producers=("line_gateway",),
    # line_gateway reads its own events too: calls to LINE stay off the webhook's path.
    consumers=("ai_chat", "helpdesk", "tablet_lending", "line_gateway"),
    purpose="webhook events from LINE, normalised and de-duplicated",
)
LINE_OUTBOUND = TopicSpec(
    name="line.outbound",
    key="LINE user id (audience for multicast)",
    producers=("ai_chat", "helpdesk", "tablet_lending", "line_gateway"),
    # The helpdesk keeps Dai-chan's answers as context beside a ticket.
    consumers=("line_gateway", "helpdesk"),
    purpose="commands to send messages to a senior (or many) on LINE",
)
LINE_DELIVERIES = TopicSpec(
    name="line.deliveries",
    key="LINE user id (audience for multicast)",
    producers=("line_gateway",),
    # The helpdesk says on a ticket when a staff reply did not reach the senior.
    consumers=("helpdesk",),
    purpose="what became of each send command (sent, failed, held)",
)
HELPDESK_REQUESTS = TopicSpec(
    name="helpdesk.requests",
    key="LINE user id or participant id",
    producers=("ai_chat", "tablet_lending"),
    consumers=("helpdesk",),
    purpose="requests for a person to look after a senior",
)
HELPDESK_EVENTS = TopicSpec(
    name="helpdesk.events",
    key="ticket id",
    producers=("helpdesk",),
    consumers=("line_gateway", "ai_chat"),
    purpose="ticket changes, including hand-over of a conversation to a person and back, and "
    "staff replies sent to LINE (no text)",
)
LENDING_EVENTS = TopicSpec(
    name="lending.events",
    key="participant id (cohort id for cohort events)",
    producers=("tablet_lending",),
    consumers=("line_gateway", "ai_chat", "helpdesk"),
    purpose="cohorts, enrolments, loans, sessions and link codes, without personal data",
)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    LINE_INBOUND,
    LINE_OUTBOUND,
    LINE_DELIVERIES,
    HELPDESK_REQUESTS,
    HELPDESK_EVENTS,
    LENDING_EVENTS,
)


def topic_names(specs: Sequence[TopicSpec] = ALL_TOPICS) -> list[str]:
    return [name for spec in specs for name in (spec.name, spec.dlq)]


async def ensure_topics(
    *,
    bootstrap_servers: str,
    partitions: int,
    replication_factor: int,
    specs: Sequence[TopicSpec] = ALL_TOPICS,
) -> list[str]:
    """Create each topic (and its dead-letter twin) that does not exist yet; return those created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="topic-bootstrap")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in topic_names(specs) if name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [
                NewTopic(
                    name=name,
                    num_partitions=partitions,
                    replication_factor=replication_factor,
                    # Dead letters wait for a person to look at them; keep them a month.
                    topic_configs={"retention.ms": str(30 * 24 * 3600 * 1000)}
                    if name.endswith(DLQ_SUFFIX)
                    else {},
                )
                for name in missing
            ]
        )
        for name, code, *_ in response.topic_errors:
            # Another service may have created a topic between our listing and our request.
            if code and for_code(code) is not TopicAlreadyExistsError:
                raise for_code(code)(f"creating topic {name}")
        return missing
    finally:
        await admin.close()
