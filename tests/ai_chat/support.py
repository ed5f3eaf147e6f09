"""Driving Dai-chan's dialogue and recorder directly, on a real MongoDB, as the consumer would."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from services.ai_chat.clients.model import ModelClient
from services.ai_chat.consumers.recording import OutcomeRecorder
from services.ai_chat.domain import templates
from services.ai_chat.domain.dialogue import DialogueSettings
from services.ai_chat.domain.hours import desk_hours
from services.ai_chat.domain.outcome import Inbound, Outcome
from services.ai_chat.domain.responders import Persona
from services.ai_chat.domain.seniors import Senior, Turn
from services.ai_chat.store import SeniorRepository
from services.ai_chat.usecases.dialogue import Dialogue
from services.common.calendar import BusinessCalendar
from services.common.events import decode_event
from services.common.events.contracts.helpdesk import HelpRequested
from services.common.events.contracts.lending import LoanIssued
from services.common.events.contracts.line import (
    AudioFetched,
    MessageReceived,
    PostbackReceived,
    SendRequested,
)
from services.common.events.envelope import Contract, Envelope, new_event
from services.common.kafka.handling import EventHandling
from services.common.language.morphology import Analysis
from services.common.programme.projection import ProgrammeProjection
from services.common.programme.views import SessionView
from services.common.safety import Detection, Route, detect_analysed
from services.common.store import MongoStore, Tx
from services.common.store.mongo import OUTBOX_COLLECTION
from services.common.store.outbox import outbox_indexes
from services.common.time import utcnow

ALWAYS_OPEN = BusinessCalendar.from_settings("00:00-24:00", "mon-sun", observe_holidays=False)


def said(route: Route, *, consumer_fraud: bool = False) -> str:
    """The fixed guidance of `route` as Dai-chan says it while the desk is open."""
    return templates.safety_text(
        route, desk_hours(ALWAYS_OPEN, utcnow()), consumer_fraud=consumer_fraud
    )


def model_client(base_url: str, **overrides: Any) -> ModelClient:
    options: dict[str, Any] = {
        "api_key": "test-key",
        "base_url": base_url,
        "chat_model": "test-model",
        "moderation_model": "omni-moderation-latest",
        "transcription_model": "gpt-4o-mini-transcribe",
        "timeout_seconds": 5.0,
        "max_retries": 0,
        "max_output_tokens": 300,
    }
    options.update(overrides)
    return ModelClient(**options)


@dataclass
class Result:
    outcome: Outcome
    sends: list[SendRequested] = field(default_factory=list)
    help_requests: list[HelpRequested] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [m.text for send in self.sends for m in send.messages]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def quick_replies(self) -> list[Any]:
        return [q for send in self.sends for m in send.messages for q in m.quick_replies]


class Harness:
    """Dai-chan as ai_chat runs it, minus Kafka: events go to the real outbox in MongoDB."""

    def __init__(
        self,
        store: MongoStore,
        *,
        model: ModelClient | None,
        detector: Callable[[Analysis], Detection] = detect_analysed,
        clock: Callable[[], datetime] = utcnow,
        **settings: Any,
    ) -> None:
        self.store = store
        self.seniors = SeniorRepository(store)
        self.programme = ProgrammeProjection(store)
        # An always-open desk unless a test chooses the hours: no text depends on the time of day.
        self.settings = DialogueSettings(**{"calendar": ALWAYS_OPEN, **settings})
        self.dialogue = Dialogue(
            seniors=self.seniors,
            programme=self.programme,
            model=model,
            persona=Persona.load(),
            settings=self.settings,
            detector=detector,
            clock=clock,
        )
        self.recorder = OutcomeRecorder(
            seniors=self.seniors,
            handover_pending_timeout=self.settings.handover_pending_timeout,
            keep_turns=max(self.settings.history_turns, self.settings.summary_every_turns),
        )
        self.handling = EventHandling(store=store, group="ai_chat")
        # LINE user -> participant: the link line_gateway owns and stamps on every message,
        # tap and voice message (ai_chat keeps no copy of it).
        self.links: dict[str, str] = {}

    async def prepare(self) -> None:
        await self.store.ensure_indexes(
            [
                *outbox_indexes(timedelta(days=1)),
                SeniorRepository.indexes(),
                *ProgrammeProjection.indexes(),
            ]
        )

    async def commit(self, envelope: Envelope[Any], inbound: Inbound, outcome: Outcome) -> None:
        """Commit what Dai-chan decided about `envelope`, as the framework does after deciding."""
        await self.handling.commit(
            envelope, self.recorder.commit(cause=envelope, inbound=inbound, outcome=outcome)
        )

    async def _record(
        self, envelope: Envelope[Any], inbound: Inbound, outcome: Outcome | None
    ) -> Result:
        if outcome is None:
            return Result(Outcome.silence("not_ours"))
        await self.commit(envelope, inbound, outcome)
        return await self.emitted(envelope.id, outcome)

    async def emitted(self, cause_id: UUID, outcome: Outcome) -> Result:
        result = Result(outcome)
        for doc in await self.store.collection(OUTBOX_COLLECTION).find().to_list():
            event = decode_event(doc["value"])
            if event.causation_id != cause_id:
                continue
            if isinstance(event.data, SendRequested):
                result.sends.append(event.data)
            elif isinstance(event.data, HelpRequested):
                result.help_requests.append(event.data)
        return result

    async def say(self, user_id: str, text: str, *, human_mode: bool = False) -> Result:
        envelope = text_message(
            user_id, text, participant_id=self.links.get(user_id), human_mode=human_mode
        )
        inbound = Inbound(
            event_id=envelope.id,
            user_id=user_id,
            sent_at=envelope.data.sent_at,
            via="text",
            text=text,
            human_mode=human_mode,
            **self._stamp(user_id),
        )
        return await self._record(envelope, inbound, await self.dialogue.on_text(inbound))

    async def tap(self, user_id: str, data: str) -> Result:
        envelope = _event(
            PostbackReceived(
                user_id=user_id,
                webhook_event_id="w",
                data=data,
                sent_at=utcnow(),
                participant_id=self.links.get(user_id),
            )
        )
        inbound = Inbound(
            event_id=envelope.id,
            user_id=user_id,
            sent_at=envelope.data.sent_at,
            via="button",
            **self._stamp(user_id),
        )
        return await self._record(envelope, inbound, await self.dialogue.on_postback(inbound, data))

    async def speak(self, user_id: str, audio: bytes = b"RIFF-fake-audio") -> Result:
        envelope = _event(
            AudioFetched(
                user_id=user_id,
                webhook_event_id="w",
                message_id="m",
                content_type="audio/x-m4a",
                audio_base64=base64.b64encode(audio).decode(),
                sent_at=utcnow(),
                participant_id=self.links.get(user_id),
            )
        )
        inbound = Inbound(
            event_id=envelope.id,
            user_id=user_id,
            sent_at=envelope.data.sent_at,
            via="voice",
            **self._stamp(user_id),
        )
        outcome = await self.dialogue.on_audio(
            inbound, audio_base64=envelope.data.audio_base64, content_type="audio/x-m4a"
        )
        return await self._record(envelope, inbound, outcome)

    def _stamp(self, user_id: str) -> dict[str, Any]:
        # As consumers/inbound.py maps a stamped event.
        return {"participant_id": self.links.get(user_id), "stamped": True}

    async def senior(self, user_id: str) -> Senior:
        return await self.seniors.get(user_id)

    async def turns(self, user_id: str) -> list[Turn]:
        return (await self.seniors.get(user_id)).memory.turns


def _event(data: Contract) -> Envelope[Any]:
    return new_event(data, source="test")


def text_message(
    user_id: str, text: str, *, participant_id: str | None = None, human_mode: bool = False
) -> Envelope[MessageReceived]:
    """A senior's text as line_gateway publishes it (`participant_id`: its link stamp)."""
    return new_event(
        MessageReceived(
            user_id=user_id,
            webhook_event_id="w",
            message_id="m",
            message_type="text",
            text=text,
            sent_at=utcnow(),
            conversation_mode="human" if human_mode else "bot",
            participant_id=participant_id,
        ),
        source="test",
    )


def session_view(session_id: str, day: int, *, seats: int = 10) -> SessionView:
    return SessionView(
        session_id=session_id,
        cohort_id="C3",
        kind="follow_up",
        title="タブレットのつかいかた",
        venue="阿倍野区民センター",
        starts_at=datetime(2026, 12, day, 5, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, day, 7, 0, tzinfo=UTC),
        capacity=20,
        seats_left=seats,
    )


async def link_with_loan(harness: Harness, user: str, *, due_on: date) -> str:
    participant = f"P-{uuid4().hex[:8]}"

    harness.links[user] = participant

    async def seed(tx: Tx) -> None:
        await harness.programme.loan_issued(
            tx,
            LoanIssued(
                loan_id=f"L-{participant}",
                participant_id=participant,
                cohort_id="C-test",
                device_model="tab",
                issued_on=due_on - timedelta(days=180),
                due_on=due_on,
            ),
        )

    await harness.store.transaction(seed)
    return participant
