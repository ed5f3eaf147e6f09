"""What Dai-chan asks mongod before each answer, on a real mongod and the real consumer protocol.

Each event goes through ai_chat's own routes (`services.ai_chat.app.routes`) and the framework
(`EventHandling`), with the real model client against the OpenAI-compatible test server, so the
commands counted are the ones the running service sends. Before issue 11's change a message was
read twice before the model was asked: the framework's read of the claim, then the senior; now
both are one command (`SeniorRepository.before_answer`), and the route recognises a redelivery
from the claim it read. A borrower's enrolment was read twice too (its cohort, then its area).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from services.ai_chat.app import routes
from services.ai_chat.clients.model import ModelClient
from services.ai_chat.consumers.helpdesk import HelpdeskHandlers
from services.ai_chat.consumers.inbound import InboundHandlers
from services.ai_chat.domain.model import ChatAnswer
from services.common.events.contracts.line import PostbackReceived
from services.common.events.envelope import Contract, Envelope, new_event
from services.common.kafka.handling import EventHandling, Route
from services.common.programme.handlers import ProgrammeHandlers
from services.common.store.mongo import OUTBOX_COLLECTION
from services.common.store.processed import PROCESSED_COLLECTION
from services.common.time import utcnow
from tests.ai_chat.support import Harness, link_with_loan, text_message
from tests.fixtures.line import new_user_id
from tests.fixtures.mongo import CountingStore, scratch_store
from tests.fixtures.servers import RunningServer
from tools.devstack.stack import Stack

GROUP = "ai_chat"  # the service's consumer group (`platform_runtime`)

# The one command before the model is asked: the event's claim and the senior, together.
BEFORE_ANSWER = [("aggregate", PROCESSED_COLLECTION)]
# A borrower's programme facts, read for the model's instructions (`usecases/programme.py`).
BORROWERS_PROGRAMME = [
    ("find", "programme_loans"),
    ("find", "programme_enrolments"),
    ("find", "programme_bookings"),
    ("find", "programme_sessions"),
    ("find", "programme_cohorts"),
]


class Watched(ModelClient):
    """The real client, noting which commands mongod had been sent when the answer was asked."""

    commands: list[tuple[str, str]]
    before_chat: list[list[tuple[str, str]]]

    async def chat(self, messages: list[dict[str, str]], *, operation: str = "chat") -> ChatAnswer:
        self.before_chat.append(list(self.commands))
        return await super().chat(messages, operation=operation)


@dataclass
class AiChat:
    store: CountingStore
    harness: Harness
    handling: EventHandling
    by_contract: dict[type[Contract], Route[Any]]
    model: Watched
    handled: list[str] = field(default_factory=list)

    async def handle(self, envelope: Envelope[Any]) -> str:
        outcome = await self.handling.handle(self.by_contract[type(envelope.data)], envelope)
        self.handled.append(outcome)
        return outcome

    def reset(self) -> None:
        self.store.commands.clear()
        self.store.transactions = 0
        self.model.before_chat.clear()

    async def sends(self) -> int:
        return await self.store.collection(OUTBOX_COLLECTION).count_documents({})


@pytest.fixture
async def ai_chat(
    infra: Stack, openai_test_server: RunningServer, model_control: httpx.AsyncClient
) -> AsyncIterator[AiChat]:
    async with scratch_store(infra, CountingStore) as store:
        model = Watched(
            api_key="test-key",
            base_url=f"{openai_test_server.url}/v1",
            chat_model="test-model",
            moderation_model="omni-moderation-latest",
            transcription_model="gpt-4o-mini-transcribe",
            timeout_seconds=5.0,
            max_retries=0,
            max_output_tokens=300,
        )
        model.commands = store.commands.targets
        model.before_chat = []
        harness = Harness(store, model=model)
        await harness.prepare()
        handlers = routes(
            InboundHandlers(
                dialogue=harness.dialogue,
                recorder=harness.recorder,
                seniors=harness.seniors,
                group=GROUP,
            ),
            ProgrammeHandlers(projection=harness.programme, also_erase=[harness.seniors]),
            HelpdeskHandlers(seniors=harness.seniors),
        )
        inbound = {r.contract: r for r in handlers if r.topic.name == "line.inbound"}
        try:
            yield AiChat(
                store=store,
                harness=harness,
                handling=EventHandling(store=store, group=GROUP),
                by_contract=inbound,
                model=model,
            )
        finally:
            await model.close()


def message(user: str, text: str, *, participant_id: str | None = None) -> Envelope[Any]:
    return text_message(user, text, participant_id=participant_id)


async def test_one_command_before_the_model_is_asked(ai_chat: AiChat) -> None:
    user = new_user_id()
    await ai_chat.handle(message(user, "こんにちは"))  # a senior Dai-chan knows already
    ai_chat.reset()

    assert await ai_chat.handle(message(user, "今日はええ天気やね")) == "handled"

    [before] = ai_chat.model.before_chat
    assert before == BEFORE_ANSWER


async def test_a_borrower_is_read_once_before_the_model_too(ai_chat: AiChat) -> None:
    user = new_user_id()
    participant = await link_with_loan(ai_chat.harness, user, due_on=date(2099, 12, 5))
    asked = message(user, "最近どうしてる？", participant_id=participant)
    ai_chat.reset()

    assert await ai_chat.handle(asked) == "handled"

    [before] = ai_chat.model.before_chat
    # Then the borrower's programme facts, for the model's instructions: the enrolment (cohort
    # and area) once, no claim and no senior again.
    assert before == BEFORE_ANSWER + BORROWERS_PROGRAMME


async def test_a_redelivered_answer_reads_once_asks_no_model_and_sends_nothing(
    ai_chat: AiChat,
) -> None:
    user = new_user_id()
    first = message(user, "今日はええ天気やね")
    await ai_chat.handle(first)
    sent = await ai_chat.sends()
    ai_chat.reset()

    assert await ai_chat.handle(first) == "duplicate"

    assert ai_chat.store.commands.targets == BEFORE_ANSWER
    assert ai_chat.store.transactions == 0
    assert ai_chat.model.before_chat == []
    assert await ai_chat.sends() == sent


async def test_a_button_is_read_once_and_another_services_button_not_at_all(
    ai_chat: AiChat,
) -> None:
    user = new_user_id()
    ours = new_event(
        PostbackReceived(user_id=user, webhook_event_id="w", data="daichan:help", sent_at=utcnow()),
        source="test",
    )
    theirs = new_event(
        PostbackReceived(
            user_id=user, webhook_event_id="w", data="lending:confirm", sent_at=utcnow()
        ),
        source="test",
    )
    ai_chat.reset()

    assert await ai_chat.handle(ours) == "handled"
    assert ai_chat.store.commands.targets[:1] == BEFORE_ANSWER
    assert ai_chat.store.commands.targets.count(("insert", PROCESSED_COLLECTION)) == 1
    ai_chat.reset()

    assert await ai_chat.handle(theirs) == "handled"
    assert ai_chat.store.commands.targets == []
    ai_chat.reset()

    assert await ai_chat.handle(ours) == "duplicate"
    assert ai_chat.store.commands.targets == BEFORE_ANSWER
    assert ai_chat.store.transactions == 0
