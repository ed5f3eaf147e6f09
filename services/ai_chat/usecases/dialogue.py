"""Dai-chan's dialogue: safety first, then the person's wishes, then data, then conversation.

For every text (typed, or spoken and transcribed) the order is fixed:

1. **Safety** (`services.common.safety`, rules and classifier, no model needed): a certain emergency,
   self-harm, fraud or request for a person gets fixed guidance at once, a help request with
   hand-over, and Dai-chan then stays silent. Emergency and self-harm guidance is sent even
   while a person has the conversation: it is not chatter. An uncertain route (the grey band)
   adds a short fixed check to Dai-chan's answer and asks a person to review (`guidance`).
2. **Silence** while a person at the helpdesk has the conversation (line_gateway's stamp, or
   Dai-chan's own record of hand-overs from `helpdesk.events`), but for one acknowledgement per
   wait for a person Dai-chan asked for, saying when the person will answer.
3. **Pending questions** (「忘れて」 → はい/いいえ, where the senior lives) and **requests answered
   from data**: the loan, sessions (for a friend with no tablet, the explanatory sessions of
   their area), the help menu, check-ins, erasing memory.
4. **Conversation**: the model (with moderation and the model's safety triage beside it, which
   may still turn the answer into safety guidance or add a check, never remove one) within the
   senior's daily token budget, or the offline responder.

The use case loads the senior (or is handed it, read with the event's processed mark in one
command by the consumer, `consumers/inbound.py`) and the programme facts and calls the model
(the domain's `LanguageModel` port), all outside any transaction; the decisions are
`domain/dialogue.py` and `domain/conversation.py`, and the `Outcome` is committed by the consumer
(`consumers/recording.py`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from services.ai_chat.domain import conversation, templates
from services.ai_chat.domain import dialogue as decide
from services.ai_chat.domain.areas import area_by_code, find_area
from services.ai_chat.domain.dialogue import SAFE_ROUTES_WHILE_WITH_A_PERSON, DialogueSettings
from services.ai_chat.domain.faq import Topic, answerable
from services.ai_chat.domain.guidance import certain_guidance, detector_of, with_check
from services.ai_chat.domain.intents import COMMANDS, Intent, recognise, shared_facts
from services.ai_chat.domain.model import LanguageModel, ModelUnavailable
from services.ai_chat.domain.outcome import Inbound, Outcome
from services.ai_chat.domain.programme import SESSIONS_CONSIDERED, ProgrammeFacts, model_context
from services.ai_chat.domain.responders import OfflineResponder, Persona, build_messages, summarise
from services.ai_chat.domain.safety import Moderation
from services.ai_chat.domain.safety.triage import Triage
from services.ai_chat.domain.seniors import Memory, Senior, SeniorChanges, Turn
from services.ai_chat.metrics import MEMORY_EVENTS, SAFETY_TRIAGE, TRANSCRIPTIONS
from services.ai_chat.store.seniors import SeniorRepository
from services.ai_chat.usecases.programme import load_programme
from services.common.language.morphology import Analysis, analyse
from services.common.programme.projection import ProgrammeProjection
from services.common.programme.views import AreaView
from services.common.safety import Detection, Route, detect_analysed
from services.common.time import utcnow
from services.common.wording import jst_date

__all__ = ["Dialogue", "DialogueSettings"]


class Dialogue:
    def __init__(
        self,
        *,
        seniors: SeniorRepository,
        programme: ProgrammeProjection,
        model: LanguageModel | None,
        persona: Persona,
        settings: DialogueSettings,
        detector: Callable[[Analysis], Detection] = detect_analysed,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._detect = detector
        # The one place the time is read: what Dai-chan says of the helpdesk's hours depends on it.
        self._clock = clock
        self._seniors = seniors
        self._programme = programme
        self._model = model
        self._persona = persona
        self._settings = settings
        self._offline = OfflineResponder()

    # -- text (typed, or spoken and transcribed) ------------------------------------------------

    async def on_text(
        self,
        inbound: Inbound,
        *,
        senior: Senior | None = None,
        voice_confidence: float | None = None,
    ) -> Outcome:
        """`senior`, as the caller read it (None: read here), in every handler below too."""
        assert inbound.text is not None
        text = inbound.text
        now = self._clock()
        senior = await self._senior(inbound, senior)
        with_person = self._with_person(inbound, senior, now)

        # Read once: the safety routing and the programme FAQ share the morphological analysis.
        analysis = analyse(text)
        detection = self._detect(analysis)
        if with_person:
            detection = detection.only(SAFE_ROUTES_WHILE_WITH_A_PERSON)
        if detection:
            return certain_guidance(
                inbound,
                senior,
                detection,
                now=now,
                calendar=self._settings.calendar,
                detector=detector_of(detection),
            )
        if with_person:
            return decide.left_to_person(senior, now, self._settings)

        if inbound.via == "voice" and decide.unsure_transcript(
            text, voice_confidence, self._settings
        ):
            TRANSCRIPTIONS.labels("unsure").inc()
            return decide.voice_unsure(text, now)
        if inbound.via == "voice":
            TRANSCRIPTIONS.labels("heard").inc()

        if answered := await self._pending_answer(inbound, senior, text, now):
            return answered
        if detection.uncertain:
            return await self._converse(inbound, senior, now=now, unsure=detection.uncertain)
        intent = recognise(text)
        # Dai-chan's own commands first, then the borrower's own dates and sessions, then the
        # programme FAQ (most friends of the account have no tablet), then conversation.
        if intent in COMMANDS or (intent is not None and inbound.participant_id is not None):
            return await self._intent(inbound, senior, intent, now=now)
        topic = answerable(analysis, own_loan_asked=intent is Intent.MY_LOAN)
        if inbound.participant_id is None and (
            topic is Topic.SESSIONS or (topic is None and intent is Intent.SESSIONS)
        ):
            # No tablet yet: the public explanatory sessions of where the senior lives.
            return await self._public_sessions(inbound, senior, text, now)
        if topic:
            # Only a borrower asking about sessions needs their programme facts (what to book).
            borrower = topic is Topic.SESSIONS and inbound.participant_id is not None
            facts = await self._programme_facts(inbound, now) if borrower else None
            return decide.faq_answer(inbound, topic, self._settings.desk, facts, now=now)
        if intent is not None:
            return await self._intent(inbound, senior, intent, now=now)
        return await self._converse(inbound, senior, now=now)

    async def _senior(self, inbound: Inbound, senior: Senior | None) -> Senior:
        return senior if senior is not None else await self._seniors.get(inbound.user_id)

    def _with_person(self, inbound: Inbound, senior: Senior, now: datetime) -> bool:
        return decide.with_person(inbound, senior, now, self._settings)

    async def _intent(
        self, inbound: Inbound, senior: Senior, intent: Intent, *, now: datetime
    ) -> Outcome:
        if intent is Intent.FORGET:
            return decide.ask_to_forget(now, self._settings)
        if intent is Intent.HELP_MENU:
            return decide.help_menu(now)
        if intent is Intent.CHECKIN:
            return decide.checkin_menu(now)
        if intent is Intent.SESSIONS and inbound.participant_id is None:
            return await self._public_sessions(inbound, senior, inbound.text or "", now)
        facts = await self._programme_facts(inbound, now)
        return decide.programme_answer(inbound, intent, facts, now=now)

    # -- public sessions, for friends with no tablet ----------------------------------------------

    async def _public_sessions(
        self, inbound: Inbound, senior: Senior, text: str, now: datetime
    ) -> Outcome:
        """The area named in `text`, else the one remembered, else Dai-chan asks for it."""
        areas = await self._programme.known_areas()
        match = find_area(text, areas)
        if match.unknown:
            return decide.area_unknown(inbound, self._settings.desk, now=now)
        area = match.area or area_by_code(senior.memory.area_code, areas)
        if area is None:
            return decide.ask_area(inbound, self._settings.desk, now=now, settings=self._settings)
        return await self._area_sessions(inbound, senior, area, now)

    async def _pending_answer(
        self, inbound: Inbound, senior: Senior, text: str, now: datetime
    ) -> Outcome | None:
        if answered := decide.pending_answer(inbound, senior, text, now, self._settings.calendar):
            return answered
        if not decide.awaiting_area(senior, now):
            return None
        # The answer to 「どこの 市町村に 住んでる？」; a text naming no place is answered as any
        # other message.
        areas = await self._programme.known_areas()
        match = find_area(text, areas, loose=True)
        if match.unknown:
            return decide.area_unknown(inbound, self._settings.desk, now=now)
        if match.area is None:
            return None
        return await self._area_sessions(inbound, senior, match.area, now)

    async def _area_sessions(
        self, inbound: Inbound, senior: Senior, area: AreaView, now: datetime
    ) -> Outcome:
        sessions = await self._programme.public_sessions(
            after=now, area_code=area.code, limit=SESSIONS_CONSIDERED
        )
        return decide.area_sessions(inbound, senior, area, sessions, self._settings.desk, now=now)

    async def _programme_facts(self, inbound: Inbound, now: datetime) -> ProgrammeFacts:
        # Whose programme: the participant line_gateway stamped on this very event.
        return await load_programme(
            programme=self._programme, participant_id=inbound.participant_id, now=now
        )

    # -- conversation ---------------------------------------------------------------------------

    async def _converse(
        self, inbound: Inbound, senior: Senior, *, now: datetime, unsure: tuple[Route, ...] = ()
    ) -> Outcome:
        outcome = await self._answer(inbound, senior, now=now, unsure=unsure)
        if outcome.kind.startswith("safety_"):
            return outcome
        routes = unsure
        if outcome.triage is not None:
            routes = tuple(dict.fromkeys([*unsure, *outcome.triage.uncertain]))
        return with_check(outcome, inbound, routes, now=now) if routes else outcome

    async def _answer(
        self, inbound: Inbound, senior: Senior, *, now: datetime, unsure: tuple[Route, ...]
    ) -> Outcome:
        text = inbound.text or ""
        facts = shared_facts(text)
        memory = conversation.remember(senior.memory, facts, now=now)
        if facts:
            MEMORY_EVENTS.labels("fact_saved").inc()
        history = conversation.recent(senior.memory.turns, self._settings.history_turns)
        senior_turn = Turn(role="senior", text=text, at=inbound.sent_at, via=inbound.via)

        if self._model is None:
            return conversation.offline_answer(
                text=text,
                facts=facts,
                memory=memory,
                history=history,
                senior_turn=senior_turn,
                now=now,
                summary_every_turns=self._settings.summary_every_turns,
                responder=self._offline,
            )
        today = jst_date(now).isoformat()
        used = senior.tokens_used(today)
        budget = self._settings.daily_token_budget
        if budget and used >= budget:
            return conversation.budget_exhausted(memory=memory, senior_turn=senior_turn, now=now)
        results = await self._ask_model(
            self._model, inbound, memory, history, senior_turn, now=now, unsure=unsure
        )
        return conversation.model_answer(
            inbound,
            senior,
            memory=memory,
            senior_turn=senior_turn,
            results=results,
            used=used,
            today=today,
            now=now,
            calendar=self._settings.calendar,
            persona_version=self._persona.version,
        )

    async def _ask_model(
        self,
        model: LanguageModel,
        inbound: Inbound,
        memory: Memory,
        history: list[Turn],
        senior_turn: Turn,
        *,
        now: datetime,
        unsure: tuple[Route, ...],
    ) -> conversation.ModelResults:
        """The answer, moderation, triage and (when due) a new summary, asked at once."""
        programme = await self._programme_facts(inbound, now)
        messages = build_messages(
            persona=self._persona,
            memory=memory,
            programme_lines=model_context(programme, today=jst_date(now)),
            history=history,
            text=senior_turn.text,
        )
        summary_due = memory.turns_since_summary + 2 >= self._settings.summary_every_turns
        chat, moderation, triage, summary = await asyncio.gather(
            model.chat(messages),
            self._moderate(senior_turn.text),
            self._triage(senior_turn.text, local=unsure),
            summarise(model, previous=memory.summary, turns=history)
            if summary_due and history
            else _none(),
            return_exceptions=True,
        )
        return conversation.ModelResults(
            chat=chat, moderation=moderation, triage=triage, summary=summary
        )

    async def _triage(self, text: str, *, local: tuple[Route, ...]) -> Triage | None:
        """The model's routes for this message, bounded in time; counted against the local ones."""
        if self._model is None or not self._settings.triage_enabled:
            return None
        try:
            async with asyncio.timeout(self._settings.triage_timeout_seconds):
                triage = await self._model.triage(text)
        except (ModelUnavailable, TimeoutError):
            # The local layers already ran; a triage outage must not silence Dai-chan.
            return None
        for route in Route:
            said_by_model, said_here = route in triage.routes, route in local
            if said_by_model or said_here:
                verdict = (
                    "agreed"
                    if said_by_model and said_here
                    else "added"
                    if said_by_model
                    else "not_confirmed"
                )
                SAFETY_TRIAGE.labels(route.value, verdict).inc()
        return triage

    async def _moderate(self, text: str) -> Moderation | None:
        if self._model is None or not self._settings.moderation_enabled:
            return None
        try:
            return await self._model.moderate(text)
        except ModelUnavailable:
            # The rules already ran; a moderation outage must not silence Dai-chan.
            return None

    # -- buttons ----------------------------------------------------------------------------------

    @staticmethod
    def answers_button(data: str) -> bool:
        """Whether the button is Dai-chan's (another service's is theirs to answer)."""
        action, _ = decide.parse_postback(data)
        return action is not None

    async def on_postback(
        self, inbound: Inbound, data: str, *, senior: Senior | None = None
    ) -> Outcome | None:
        """None when the button belongs to another service (`answers_button`)."""
        action, params = decide.parse_postback(data)
        if action is None:
            return None
        now = self._clock()
        senior = await self._senior(inbound, senior)
        safety = decide.safety_button(
            inbound, senior, action, params, now=now, settings=self._settings
        )
        if safety is not None:
            return safety
        if self._with_person(inbound, senior, now):
            return decide.left_to_person(senior, now, self._settings)
        if action == "talk":
            return decide.fixed(templates.TALK_TEXT, "talk", now)
        if action == "help":
            return decide.help_menu(now)
        if action in ("my_loan", "sessions"):
            intent = Intent.MY_LOAN if action == "my_loan" else Intent.SESSIONS
            return await self._intent(inbound, senior, intent, now=now)
        if action == "forget":
            return decide.forget_button(params, now=now, settings=self._settings)
        if action == "checkin":
            return decide.checkin_choice(senior, params.get("at"), now)
        if action == "voice_retry":
            return decide.fixed(templates.VOICE_RETRY_TEXT, "voice_retry", now)
        return decide.fixed(templates.UNKNOWN_BUTTON_TEXT, "unknown_button", now)

    # -- other kinds of messages, voice and friendship ---------------------------------------------

    async def on_non_text(
        self, inbound: Inbound, message_type: str, *, senior: Senior | None = None
    ) -> Outcome:
        now = self._clock()
        if message_type == "audio":
            # line_gateway fetches the audio and publishes line.audio.fetched; that is answered.
            return Outcome.silence("audio_waits_for_transcript", SeniorChanges(last_message_at=now))
        senior = await self._senior(inbound, senior)
        if self._with_person(inbound, senior, now):
            return decide.left_to_person(senior, now, self._settings)
        return decide.non_text_answer(message_type, now)

    async def on_audio(
        self,
        inbound: Inbound,
        *,
        audio_base64: str,
        content_type: str,
        senior: Senior | None = None,
    ) -> Outcome:
        """`senior` is read before the transcription (by the consumer, with the processed mark,
        so that a redelivery is transcribed no more); a hand-over meanwhile still silences a
        plain answer when it is recorded (`consumers/recording.py`)."""
        now = self._clock()
        if self._model is None:
            TRANSCRIPTIONS.labels("no_model").inc()
            return await self._voice_problem(inbound, templates.VOICE_NO_MODEL_TEXT, now, senior)
        try:
            audio = base64.b64decode(audio_base64, validate=True)
        except (binascii.Error, ValueError):
            TRANSCRIPTIONS.labels("failed").inc()
            return await self._voice_problem(inbound, templates.VOICE_FAILED_TEXT, now, senior)
        try:
            transcript = await self._model.transcribe(
                audio, content_type=content_type, filename=decide.audio_filename(content_type)
            )
        except ModelUnavailable:
            TRANSCRIPTIONS.labels("failed").inc()
            return await self._voice_problem(inbound, templates.VOICE_FAILED_TEXT, now, senior)
        if not transcript.text:
            TRANSCRIPTIONS.labels("failed").inc()
            return await self._voice_problem(inbound, templates.VOICE_FAILED_TEXT, now, senior)
        heard = replace(inbound, via="voice", text=transcript.text)
        return await self.on_text(heard, senior=senior, voice_confidence=transcript.confidence)

    async def _voice_problem(
        self, inbound: Inbound, text: str, now: datetime, senior: Senior | None
    ) -> Outcome:
        senior = await self._senior(inbound, senior)
        if self._with_person(inbound, senior, now):
            return decide.left_to_person(senior, now, self._settings)
        return decide.fixed(text, "voice_problem", now)

    async def on_followed(
        self, inbound: Inbound, *, is_unblocked: bool, senior: Senior | None = None
    ) -> Outcome:
        senior = await self._senior(inbound, senior)
        return decide.followed(senior, is_unblocked=is_unblocked)

    async def on_unfollowed(self, inbound: Inbound, *, senior: Senior | None = None) -> Outcome:
        return decide.unfollowed(await self._senior(inbound, senior))


async def _none() -> None:
    return None
