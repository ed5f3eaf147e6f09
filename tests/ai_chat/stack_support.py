"""Helpers for Dai-chan's end-to-end tests (tests/e2e/test_daichan_*.py) on the real stack."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from services.common.events import decode_event
from services.common.events.contracts.helpdesk import HelpRequested
from services.common.events.contracts.line import SendRequested
from services.common.events.envelope import Contract, Envelope, encode_event, new_event
from services.common.kafka.topics import TopicSpec
from tests.fixtures.kafka import produce, read_topic
from tools.devstack.stack import Stack

C = TypeVar("C", bound=Contract)


def model_env(stack: Stack, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": f"{stack.config.url('openai_server')}/v1",
        "OPENAI_MODEL": "test-model",
        **extra,
    }


async def publish(stack: Stack, topic: TopicSpec, key: str, data: Contract) -> Envelope[Any]:
    """Publish an event as its producer would (for producers being built in parallel)."""
    envelope = new_event(data, source="test")
    await produce(
        stack.kafka.bootstrap_servers, topic.name, key=key.encode(), value=encode_event(envelope)
    )
    return envelope


async def events_of(
    stack: Stack,
    topic: str,
    contract: type[C],
    *,
    key: str,
    count: int = 1,
    timeout: float = 20.0,
) -> list[Envelope[C]]:
    """This key's events of one type on `topic`, once there are `count` (or at the deadline).

    A reader that has just joined may see no partitions yet, so one empty read proves nothing.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = []
        for record in await read_topic(stack.kafka.bootstrap_servers, topic):
            if record.key != key.encode():
                continue
            event = decode_event(record.value)
            if isinstance(event.data, contract):
                found.append(event)
        if len(found) >= count or asyncio.get_running_loop().time() > deadline:
            return found  # type: ignore[return-value]
        await asyncio.sleep(0.3)


async def help_requests(
    stack: Stack, user: str, *, count: int = 1, timeout: float = 20.0
) -> list[HelpRequested]:
    events = await events_of(
        stack, "helpdesk.requests", HelpRequested, key=user, count=count, timeout=timeout
    )
    return [event.data for event in events]


async def send_commands(
    stack: Stack, user: str, *, count: int = 1, timeout: float = 20.0
) -> list[Envelope[SendRequested]]:
    return await events_of(
        stack, "line.outbound", SendRequested, key=user, count=count, timeout=timeout
    )


def quick_reply_data(inbox: list[dict[str, Any]]) -> list[str]:
    return [
        item["action"].get("data") or item["action"].get("text")
        for send in inbox
        for message in send["messages"]
        for item in (message.get("quickReply") or {}).get("items", [])
    ]
