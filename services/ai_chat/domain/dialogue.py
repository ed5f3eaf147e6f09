"""Dai-chan's decisions: safety first, then the person's wishes, then data, then conversation.

For every text (typed, or spoken and transcribed) the order is fixed:

1. **Safety** (`domain/safety`, rules and classifier, no model needed): a certain emergency,
   self-harm, fraud or request for a person gets fixed guidance at once, a help request with
   hand-over, and Dai-chan then stays silent. Emergency and self-harm guidance is sent even
   while a person has the conversation: it is not chatter. An uncertain route (the grey band)
   adds a short fixed check to Dai-chan's answer and asks a person to review (`guidance`).
2. **Silence** while a person at the helpdesk has the conversation (line_gateway's stamp, or
   Dai-chan's own record of hand-overs from `helpdesk.events`).
3. **Pending questions** (「忘れて」 → はい/いいえ) and **requests answered from data**: the loan,
   sessions, the help menu, check-ins, erasing memory.
4. **Conversation**: the model (with moderation and the model's safety triage beside it, which
   may still turn the answer into safety guidance or add a check, never remove one) within the
   senior's daily token budget, or the offline responder.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.ai_chat.clients.model import ChatAnswer, ModelClient, ModelUnavailable
from services.ai_chat.domain import templates
from services.ai_chat.domain.checkins import next_checkin_at
from services.ai_chat.domain.dates import jst_date
from services.ai_chat.domain.guard import guard_answer
from services.ai_chat.domain.guidance import (
    MENU_TOPICS,
    SAFETY_CHECK,
    certain_guidance,
    check_escalated,
    check_settled,
    detector_of,
    with_check,
)
from services.ai_chat.domain.intents import (
    Intent,
    SharedFacts,
    check_answer,
    confirmation,
    recognise,
    shared_facts,
)
from services.ai_chat.domain.outcome import Inbound, Outcome, say
from services.ai_chat.domain.programme import (
    ProgrammeFacts,
    load_programme,
    loan_answer,
    model_context,
    sessions_answer,
)
from services.ai_chat.domain.responders import (
    OfflineResponder,
    Persona,
    build_messages,
    offline_summary,
    summarise,
)
from services.ai_chat.domain.safety import Detection, Moderation, Route, detect
from services.ai_chat.domain.safety.triage import Triage
from services.ai_chat.domain.text import clip, normalise
from services.ai_chat.metrics import (
    BUDGET_EXHAUSTED,
    CHECKINS,
    MEMORY_EVENTS,
    OUTPUT_GUARD,
    SAFETY_TRIAGE,
    TRANSCRIPTIONS,
)
from services.ai_chat.store.programme import ProgrammeRepository
from services.ai_chat.store.seniors import (
    Checkin,
    Memory,
    Pending,
    Senior,
    SeniorChanges,
    SeniorRepository,
    Turn,
    Usage,
)
from services.common.events.contracts.line import SendPriority
from services.common.events.postback_data import PostbackData
from services.common.logging import get_logger
from services.common.time import utcnow

log = get_logger(__name__)

MAX_INTERESTS = 5
SAFE_ROUTES_WHILE_WITH_A_PERSON = (Route.EMERGENCY, Route.SELF_HARM)


@dataclass(frozen=True)
class DialogueSettings:
    history_turns: int = 8
    summary_every_turns: int = 8
    daily_token_budget: int = 30_000
    handover_pending_timeout: timedelta = timedelta(hours=2)
    confirmation_ttl: timedelta = timedelta(minutes=10)
    moderation_enabled: bool = True
    triage_enabled: bool = True
    # The triage never holds the answer longer than this (the fixed safety messages never wait).
    triage_timeout_seconds: float = 3.0
    transcript_min_chars: int = 4
    transcript_min_confidence: float = 0.6


class Dialogue:
    def __init__(
        self,
        *,
        seniors: SeniorRepository,
        programme: ProgrammeRepository,
        model: ModelClient | None,
        persona: Persona,
        settings: DialogueSettings,
        detector: Callable[[str], Detection] = detect,
    ) -> None:
        self._detect = detector
        self._seniors = seniors
        self._programme = programme
        self._model = model
        self._persona = persona
        self._settings = settings
        self._offline = OfflineResponder()

    # -- text (typed, or spoken and transcribed) ------------------------------------------------

    async def on_text(self, inbound: Inbound, *, voice_confidence: float | None = None) -> Outcome:
        assert inbound.text is not None
        text = inbound.text
        now = utcnow()
        senior = await self._seniors.get(inbound.user_id)
        with_person = self._with_person(inbound, senior, now)

        detection = self._detect(text)
        if with_person:
            detection = detection.only(SAFE_ROUTES_WHILE_WITH_A_PERSON)
        if detection:
            return certain_guidance(
                inbound, senior, detection, now=now, detector=detector_of(detection)
            )
        if with_person:
            return Outcome.silence("human_mode", SeniorChanges(last_message_at=now))

        if inbound.via == "voice" and self._unsure(text, voice_confidence):
            TRANSCRIPTIONS.labels("unsure").inc()
            question, choices = templates.voice_unsure(clip(text, 60))
            return Outcome(
                messages=[say(question, choices)],
                kind="voice_unsure",
                changes=SeniorChanges(last_message_at=now),
            )
        if inbound.via == "voice":
            TRANSCRIPTIONS.labels("heard").inc()

        if answered := self._pending_answer(inbound, senior, text, now):
            return answered
        intent = recognise(text)
        if intent is not None and not detection.uncertain:
            return await self._intent(inbound, senior, intent, now=now)
        return await self._converse(inbound, senior, now=now, unsure=detection.uncertain)

    def _with_person(self, inbound: Inbound, senior: Senior, now: datetime) -> bool:
        return inbound.human_mode or senior.human.holds(
            now=now, pending_timeout=self._settings.handover_pending_timeout
        )

    def _unsure(self, text: str, confidence: float | None) -> bool:
        if len(normalise(text)) < self._settings.transcript_min_chars:
            return True
        return confidence is not None and confidence < self._settings.transcript_min_confidence

    # -- questions waiting for an answer, and requests answered from data -----------------------

    def _pending_answer(
        self, inbound: Inbound, senior: Senior, text: str, now: datetime
    ) -> Outcome | None:
        pending = senior.pending
        if pending is None or pending.until < now:
            return None
        if pending.action == SAFETY_CHECK and pending.route in MENU_TOPICS:
            route = MENU_TOPICS[pending.route]
            reply = check_answer(text)
            if reply == "help":
                return check_escalated(inbound, senior, route, now=now)
            if reply == "ok":
                return check_settled(now, route)
            return None
        if pending.action != "forget":
            return None
        answer = confirmation(text)
        if answer is True:
            return self._forget(now)
        if answer is False:
            return Outcome(
                messages=[say(templates.FORGET_KEPT_TEXT)],
                kind="memory_kept",
                changes=SeniorChanges(last_message_at=now, clear_pending=True),
            )
        return None

    def _forget(self, now: datetime) -> Outcome:
        MEMORY_EVENTS.labels("erased").inc()
        return Outcome(
            messages=[say(templates.FORGOTTEN_TEXT)],
            kind="memory_erased",
            purpose="ai_chat.memory",
            changes=SeniorChanges(last_message_at=now, erase_memory=True, clear_pending=True),
        )

    def _ask_to_forget(self, now: datetime) -> Outcome:
        return Outcome(
            messages=[say(templates.FORGET_CONFIRM_TEXT, templates.FORGET_CHOICES)],
            kind="memory_confirm",
            purpose="ai_chat.memory",
            changes=SeniorChanges(
                last_message_at=now,
                pending=Pending(action="forget", until=now + self._settings.confirmation_ttl),
            ),
        )

    async def _intent(
        self, inbound: Inbound, senior: Senior, intent: Intent, *, now: datetime
    ) -> Outcome:
        if intent is Intent.FORGET:
            return self._ask_to_forget(now)
        if intent is Intent.HELP_MENU:
            return self._help_menu(now)
        if intent is Intent.CHECKIN:
            return self._checkin_menu(now)
        facts = await load_programme(
            programme=self._programme, participant_id=senior.participant_id, now=now
        )
        text, choices = (
            loan_answer(facts, today=jst_date(now))
            if intent is Intent.MY_LOAN
            else sessions_answer(facts)
        )
        turns = []
        if inbound.text and inbound.via != "button":
            turns = [
                Turn(role="senior", text=inbound.text, at=inbound.sent_at, via=inbound.via),
                Turn(role="daichan", text=text, at=now),
            ]
        return Outcome(
            messages=[say(text, choices)],
            kind=f"programme_{intent.value}",
            purpose="ai_chat.programme",
            turns=turns,
            changes=SeniorChanges(last_message_at=now),
        )

    def _help_menu(self, now: datetime) -> Outcome:
        return Outcome(
            messages=[say(templates.HELP_MENU_TEXT, templates.HELP_MENU)],
            kind="help_menu",
            purpose="ai_chat.menu",
            changes=SeniorChanges(last_message_at=now),
        )

    def _checkin_menu(self, now: datetime) -> Outcome:
        return Outcome(
            messages=[say(templates.CHECKIN_MENU_TEXT, templates.CHECKIN_CHOICES)],
            kind="checkin_menu",
            purpose="ai_chat.checkin",
            changes=SeniorChanges(last_message_at=now),
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
        memory = _remember(senior.memory, facts, now=now)
        if facts:
            MEMORY_EVENTS.labels("fact_saved").inc()
        history = _recent(senior.memory.turns, self._settings.history_turns)
        senior_turn = Turn(role="senior", text=text, at=inbound.sent_at, via=inbound.via)

        if self._model is None:
            answer_text = _fact_acknowledgement(facts) if facts else self._offline.respond(text)
            memory = self._roll_summary_offline(memory, [*history, senior_turn])
            return Outcome(
                messages=[say(answer_text)],
                responder="offline",
                turns=[senior_turn, Turn(role="daichan", text=answer_text, at=now)],
                changes=SeniorChanges(last_message_at=now, memory=memory),
            )

        today = jst_date(now).isoformat()
        used = senior.tokens_used(today)
        budget = self._settings.daily_token_budget
        if budget and used >= budget:
            BUDGET_EXHAUSTED.inc()
            return Outcome(
                messages=[say(templates.BUDGET_TEXT)],
                kind="budget_exhausted",
                turns=[senior_turn],
                changes=SeniorChanges(last_message_at=now, memory=memory),
            )
        return await self._model_answer(
            inbound,
            senior,
            memory,
            history,
            senior_turn,
            used=used,
            today=today,
            now=now,
            unsure=unsure,
        )

    async def _model_answer(
        self,
        inbound: Inbound,
        senior: Senior,
        memory: Memory,
        history: list[Turn],
        senior_turn: Turn,
        *,
        used: int,
        today: str,
        now: datetime,
        unsure: tuple[Route, ...],
    ) -> Outcome:
        model = self._model
        assert model is not None
        programme = await self._programme_facts(senior, now)
        messages = build_messages(
            persona=self._persona,
            memory=memory,
            programme_lines=model_context(programme, today=jst_date(now)),
            history=history,
            text=senior_turn.text,
        )
        summary_due = memory.turns_since_summary + 2 >= self._settings.summary_every_turns
        results = await asyncio.gather(
            model.chat(messages),
            self._moderate(senior_turn.text),
            self._triage(senior_turn.text, local=unsure),
            summarise(model, previous=memory.summary, turns=history)
            if summary_due and history
            else _none(),
            return_exceptions=True,
        )
        chat, moderation, triage, summary = results
        extra = Detection()
        if isinstance(moderation, Moderation):
            extra = extra.merged(moderation.detection())
        if isinstance(triage, Triage):
            extra = extra.merged(triage.detection())
        if extra:
            return certain_guidance(inbound, senior, extra, now=now, detector=detector_of(extra))

        tokens = 0
        if isinstance(summary, ChatAnswer):
            tokens += summary.tokens
            memory = memory.model_copy(
                update={
                    "summary": clip(guard_answer(summary.text).text, 200),
                    "turns_since_summary": 0,
                }
            )
            MEMORY_EVENTS.labels("summary_updated").inc()
        else:
            memory = memory.model_copy(
                update={"turns_since_summary": memory.turns_since_summary + 2}
            )
        if not isinstance(chat, ChatAnswer):
            if not isinstance(chat, ModelUnavailable):
                log.warning("unexpected model failure", error=type(chat).__name__)
            return Outcome(
                messages=[say(templates.FALLBACK_TEXT)],
                responder="fallback",
                turns=[senior_turn],
                changes=SeniorChanges(
                    last_message_at=now,
                    memory=memory,
                    usage=Usage(day=today, tokens=used + tokens),
                ),
            )
        tokens += chat.tokens
        guarded = guard_answer(chat.text)
        if guarded.markdown_stripped:
            OUTPUT_GUARD.labels("markdown_stripped").inc()
        if guarded.phone_number_replaced:
            OUTPUT_GUARD.labels("phone_number_replaced").inc()
        reply = say(guarded.text, templates.HELP_MENU if guarded.phone_number_replaced else ())
        return Outcome(
            triage=extra if extra.uncertain else None,
            messages=[reply],
            responder="openai",
            kind="chat_guarded" if guarded.phone_number_replaced else "chat",
            turns=[
                senior_turn,
                Turn(
                    role="daichan", text=guarded.text, at=now, persona_version=self._persona.version
                ),
            ],
            changes=SeniorChanges(
                last_message_at=now, memory=memory, usage=Usage(day=today, tokens=used + tokens)
            ),
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

    async def _programme_facts(self, senior: Senior, now: datetime) -> ProgrammeFacts:
        return await load_programme(
            programme=self._programme, participant_id=senior.participant_id, now=now
        )

    def _roll_summary_offline(self, memory: Memory, turns: list[Turn]) -> Memory:
        count = memory.turns_since_summary + 2
        if count < self._settings.summary_every_turns:
            return memory.model_copy(update={"turns_since_summary": count})
        MEMORY_EVENTS.labels("summary_updated").inc()
        return memory.model_copy(
            update={"summary": offline_summary(turns=turns), "turns_since_summary": 0}
        )

    # -- buttons ----------------------------------------------------------------------------------

    async def on_postback(self, inbound: Inbound, data: str) -> Outcome | None:
        """None when the button belongs to another service (it is theirs to answer)."""
        action, params = parse_postback(data)
        if action is None:
            return None
        now = utcnow()
        senior = await self._seniors.get(inbound.user_id)
        if (safety := self._safety_button(inbound, senior, action, params, now)) is not None:
            return safety
        if self._with_person(inbound, senior, now):
            return Outcome.silence("human_mode", SeniorChanges(last_message_at=now))
        if action == "talk":
            return Outcome(
                messages=[say(templates.TALK_TEXT)],
                kind="talk",
                changes=SeniorChanges(last_message_at=now),
            )
        if action == "help":
            return self._help_menu(now)
        if action in ("my_loan", "sessions"):
            intent = Intent.MY_LOAN if action == "my_loan" else Intent.SESSIONS
            return await self._intent(inbound, senior, intent, now=now)
        if action == "forget":
            confirm = params.get("confirm")
            if confirm == "yes":
                return self._forget(now)
            if confirm == "no":
                return Outcome(
                    messages=[say(templates.FORGET_KEPT_TEXT)],
                    kind="memory_kept",
                    changes=SeniorChanges(last_message_at=now, clear_pending=True),
                )
            return self._ask_to_forget(now)
        if action == "checkin":
            return self._checkin_choice(senior, params.get("at"), now)
        if action == "voice_retry":
            return Outcome(
                messages=[say(templates.VOICE_RETRY_TEXT)],
                kind="voice_retry",
                changes=SeniorChanges(last_message_at=now),
            )
        return Outcome(
            messages=[say(templates.UNKNOWN_BUTTON_TEXT)],
            kind="unknown_button",
            changes=SeniorChanges(last_message_at=now),
        )

    def _safety_button(
        self, inbound: Inbound, senior: Senior, action: str, params: dict[str, str], now: datetime
    ) -> Outcome | None:
        """The help menu's safety topics and the answers to a safety check (None: not one)."""
        if action == "help" and params.get("topic") in MENU_TOPICS:
            route = MENU_TOPICS[params["topic"]]
            if (
                self._with_person(inbound, senior, now)
                and route not in SAFE_ROUTES_WHILE_WITH_A_PERSON
            ):
                return Outcome.silence("human_mode", SeniorChanges(last_message_at=now))
            return certain_guidance(
                inbound,
                senior,
                Detection(routes=(route,), reasons=("menu",)),
                now=now,
                detector="menu",
            )
        if action == "check" and params.get("route") in MENU_TOPICS:
            route = MENU_TOPICS[params["route"]]
            if params.get("answer") == "help":
                return check_escalated(inbound, senior, route, now=now)
            return check_settled(now, route)
        return None

    def _checkin_choice(self, senior: Senior, at: str | None, now: datetime) -> Outcome:
        if at is None:
            return self._checkin_menu(now)
        if at == "off":
            CHECKINS.labels("opted_out").inc()
            return Outcome(
                messages=[say(templates.CHECKIN_OFF_TEXT)],
                kind="checkin_off",
                purpose="ai_chat.checkin",
                changes=SeniorChanges(
                    last_message_at=now,
                    checkin=senior.checkin.model_copy(update={"enabled": False}),
                ),
            )
        next_at = next_checkin_at(at, after=now)
        if next_at is None:
            return Outcome(
                messages=[say(templates.UNKNOWN_BUTTON_TEXT)],
                kind="unknown_button",
                changes=SeniorChanges(last_message_at=now),
            )
        CHECKINS.labels("opted_in").inc()
        label = next((lbl for lbl, value in templates.CHECKIN_TIMES if value == at), at)
        return Outcome(
            messages=[say(templates.checkin_set_text(label))],
            kind="checkin_on",
            purpose="ai_chat.checkin",
            changes=SeniorChanges(
                last_message_at=now,
                checkin=Checkin(
                    enabled=True,
                    time=at,
                    next_at=next_at,
                    last_sent_on=senior.checkin.last_sent_on,
                ),
            ),
        )

    # -- other kinds of messages, voice and friendship ---------------------------------------------

    async def on_non_text(self, inbound: Inbound, message_type: str) -> Outcome:
        now = utcnow()
        if message_type == "audio":
            # line_gateway fetches the audio and publishes line.audio.fetched; that is answered.
            return Outcome.silence("audio_waits_for_transcript", SeniorChanges(last_message_at=now))
        senior = await self._seniors.get(inbound.user_id)
        if self._with_person(inbound, senior, now):
            return Outcome.silence("human_mode", SeniorChanges(last_message_at=now))
        return Outcome(
            messages=[
                say(
                    templates.NON_TEXT_ANSWERS.get(message_type, templates.NON_TEXT_ANSWERS["file"])
                )
            ],
            kind=message_type,
            changes=SeniorChanges(last_message_at=now),
        )

    async def on_audio(self, inbound: Inbound, *, audio_base64: str, content_type: str) -> Outcome:
        now = utcnow()
        if self._model is None:
            TRANSCRIPTIONS.labels("no_model").inc()
            return await self._voice_problem(inbound, templates.VOICE_NO_MODEL_TEXT, now)
        try:
            audio = base64.b64decode(audio_base64, validate=True)
        except (binascii.Error, ValueError):
            TRANSCRIPTIONS.labels("failed").inc()
            return await self._voice_problem(inbound, templates.VOICE_FAILED_TEXT, now)
        try:
            transcript = await self._model.transcribe(
                audio, content_type=content_type, filename=_audio_filename(content_type)
            )
        except ModelUnavailable:
            TRANSCRIPTIONS.labels("failed").inc()
            return await self._voice_problem(inbound, templates.VOICE_FAILED_TEXT, now)
        if not transcript.text:
            TRANSCRIPTIONS.labels("failed").inc()
            return await self._voice_problem(inbound, templates.VOICE_FAILED_TEXT, now)
        heard = Inbound(
            event_id=inbound.event_id,
            user_id=inbound.user_id,
            sent_at=inbound.sent_at,
            via="voice",
            text=transcript.text,
            human_mode=inbound.human_mode,
            reply_token=inbound.reply_token,
            reply_token_expires_at=inbound.reply_token_expires_at,
        )
        return await self.on_text(heard, voice_confidence=transcript.confidence)

    async def _voice_problem(self, inbound: Inbound, text: str, now: datetime) -> Outcome:
        senior = await self._seniors.get(inbound.user_id)
        if self._with_person(inbound, senior, now):
            return Outcome.silence("human_mode", SeniorChanges(last_message_at=now))
        return Outcome(
            messages=[say(text)], kind="voice_problem", changes=SeniorChanges(last_message_at=now)
        )

    async def on_followed(self, inbound: Inbound, *, is_unblocked: bool) -> Outcome:
        senior = await self._seniors.get(inbound.user_id)
        returning = is_unblocked or senior.following is False
        text = templates.GREETING_BACK if returning else templates.GREETING_NEW
        return Outcome(
            messages=[say(text, templates.GREETING_CHOICES)],
            priority=SendPriority.LOW,
            purpose="ai_chat.greeting",
            kind="greeting_back" if returning else "greeting_new",
            changes=SeniorChanges(following=True),
        )

    async def on_unfollowed(self, inbound: Inbound) -> Outcome:
        senior = await self._seniors.get(inbound.user_id)
        changes = SeniorChanges(following=False)
        if senior.checkin.enabled:
            # Blocking the account withdraws the opt-in; following again starts without it.
            CHECKINS.labels("opted_out").inc()
            changes.checkin = senior.checkin.model_copy(update={"enabled": False})
        return Outcome.silence("unfollowed", changes)


def parse_postback(data: str) -> tuple[str | None, dict[str, str]]:
    """("my_loan", {}) for "daichan:my_loan"; (None, {}) for another service's button."""
    parsed = PostbackData.parse(data)
    if parsed is None or not parsed.for_service("daichan"):
        return None, {}
    return parsed.action, parsed.params


def _recent(turns: list[Turn], limit: int) -> list[Turn]:
    return turns[-limit:] if limit > 0 else []


def _remember(memory: Memory, facts: SharedFacts, *, now: datetime) -> Memory:
    update: dict[str, object] = {"updated_at": now}
    if facts.preferred_name:
        update["preferred_name"] = facts.preferred_name
    if facts.interest and facts.interest not in memory.interests:
        update["interests"] = [*memory.interests, facts.interest][-MAX_INTERESTS:]
    return memory.model_copy(update=update)


def _fact_acknowledgement(facts: SharedFacts) -> str:
    if facts.preferred_name:
        return templates.name_learned_text(facts.preferred_name)
    return templates.interest_learned_text(facts.interest or "")


def _audio_filename(content_type: str) -> str:
    extension = {
        "audio/x-m4a": "m4a",
        "audio/m4a": "m4a",
        "audio/mp4": "m4a",
        "audio/mpeg": "mp3",
        "audio/wav": "wav",
        "audio/x-wav": "wav",
        "audio/ogg": "ogg",
        "audio/webm": "webm",
    }.get(content_type.split(";", maxsplit=1)[0].strip().lower(), "m4a")
    return f"voice.{extension}"


async def _none() -> None:
    return None
