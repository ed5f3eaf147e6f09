"""Helpers for Dai-chan's end-to-end tests (tests/e2e/test_daichan_*.py) on the real stack."""

from __future__ import annotations

from typing import Any, TypeVar

from services.common.events.contracts.helpdesk import HelpRequested
from services.common.events.contracts.line import SendRequested
from services.common.events.envelope import Contract, Envelope
from services.common.kafka.topics import TopicSpec
from tests.fixtures.events import publish_event, wait_keyed_events
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
    """Publish an event as its producer would."""
    return await publish_event(stack, topic.name, key, data)


async def events_of(
    stack: Stack,
    topic: str,
    contract: type[C],
    *,
    key: str,
    count: int = 1,
    timeout: float = 20.0,
) -> list[Envelope[C]]:
    """This key's events of one type on `topic`, once there are `count` (or at the deadline)."""

    def of_type(events: list[Envelope[Contract]]) -> list[Envelope[C]]:
        return [e for e in events if isinstance(e.data, contract)]  # type: ignore[misc]

    found = await wait_keyed_events(
        stack, topic, key, lambda events: len(of_type(events)) >= count, timeout=timeout
    )
    return of_type(found)


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
