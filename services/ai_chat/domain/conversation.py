"""Conversation: Dai-chan's free words, from what the model returned or from the offline responder.

The dialogue (`usecases/dialogue.py`) asks the model for the answer, moderation, triage and, now
and then, a new summary, all at once; what to say given those results is decided here. A finding
of moderation or triage still turns the answer into safety guidance; a model failure gives the
fixed fallback (the senior's words are kept, the tokens spent are counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.ai_chat.domain import templates
from services.ai_chat.domain.guard import guard_answer
from services.ai_chat.domain.guidance import certain_guidance, detector_of
from services.ai_chat.domain.intents import SharedFacts
from services.ai_chat.domain.model import ChatAnswer, ModelUnavailable
from services.ai_chat.domain.outcome import Inbound, Outcome, say
from services.ai_chat.domain.responders import OfflineResponder, offline_summary
from services.ai_chat.domain.safety import Moderation
from services.ai_chat.domain.safety.triage import Triage
from services.ai_chat.domain.seniors import Memory, Senior, SeniorChanges, Turn, Usage
from services.ai_chat.metrics import BUDGET_EXHAUSTED, MEMORY_EVENTS, OUTPUT_GUARD
from services.common.calendar import BusinessCalendar
from services.common.language.text import clip
from services.common.logging import get_logger
from services.common.safety import Detection

log = get_logger(__name__)

MAX_INTERESTS = 5


def recent(turns: list[Turn], limit: int) -> list[Turn]:
    return turns[-limit:] if limit > 0 else []


def remember(memory: Memory, facts: SharedFacts, *, now: datetime) -> Memory:
    update: dict[str, object] = {"updated_at": now}
    if facts.preferred_name:
        update["preferred_name"] = facts.preferred_name
    if facts.interest and facts.interest not in memory.interests:
        update["interests"] = [*memory.interests, facts.interest][-MAX_INTERESTS:]
    return memory.model_copy(update=update)


def fact_acknowledgement(facts: SharedFacts) -> str:
    if facts.preferred_name:
        return templates.name_learned_text(facts.preferred_name)
    return templates.interest_learned_text(facts.interest or "")


def roll_summary_offline(memory: Memory, turns: list[Turn], *, every: int) -> Memory:
    count = memory.turns_since_summary + 2
    if count < every:
        return memory.model_copy(update={"turns_since_summary": count})
    MEMORY_EVENTS.labels("summary_updated").inc()
    return memory.model_copy(
        update={"summary": offline_summary(turns=turns), "turns_since_summary": 0}
    )


def offline_answer(
    *,
    text: str,
    facts: SharedFacts,
    memory: Memory,
    history: list[Turn],
    senior_turn: Turn,
    now: datetime,
    summary_every_turns: int,
    responder: OfflineResponder,
) -> Outcome:
    answer_text = fact_acknowledgement(facts) if facts else responder.respond(text)
    memory = roll_summary_offline(memory, [*history, senior_turn], every=summary_every_turns)
    return Outcome(
        messages=[say(answer_text)],
        responder="offline",
        turns=[senior_turn, Turn(role="daichan", text=answer_text, at=now)],
        changes=SeniorChanges(last_message_at=now, memory=memory),
    )


def budget_exhausted(*, memory: Memory, senior_turn: Turn, now: datetime) -> Outcome:
    BUDGET_EXHAUSTED.inc()
    return Outcome(
        messages=[say(templates.BUDGET_TEXT)],
        kind="budget_exhausted",
        turns=[senior_turn],
        changes=SeniorChanges(last_message_at=now, memory=memory),
    )


@dataclass(frozen=True)
class ModelResults:
    """What the concurrent model calls returned (a result, None when not asked, or the error)."""

    chat: ChatAnswer | BaseException
    moderation: Moderation | BaseException | None
    triage: Triage | BaseException | None
    summary: ChatAnswer | BaseException | None


def model_answer(
    inbound: Inbound,
    senior: Senior,
    *,
    memory: Memory,
    senior_turn: Turn,
    results: ModelResults,
    used: int,
    today: str,
    now: datetime,
    calendar: BusinessCalendar,
    persona_version: str,
) -> Outcome:
    extra = Detection()
    if isinstance(results.moderation, Moderation):
        extra = extra.merged(results.moderation.detection())
    if isinstance(results.triage, Triage):
        extra = extra.merged(results.triage.detection())
    if extra:
        return certain_guidance(
            inbound, senior, extra, now=now, calendar=calendar, detector=detector_of(extra)
        )

    tokens = 0
    if isinstance(results.summary, ChatAnswer):
        tokens += results.summary.tokens
        memory = memory.model_copy(
            update={
                "summary": clip(guard_answer(results.summary.text).text, 200),
                "turns_since_summary": 0,
            }
        )
        MEMORY_EVENTS.labels("summary_updated").inc()
    else:
        memory = memory.model_copy(update={"turns_since_summary": memory.turns_since_summary + 2})
    chat = results.chat
    if not isinstance(chat, ChatAnswer):
        if not isinstance(chat, ModelUnavailable):
            log.warning("unexpected model failure", error=type(chat).__name__)
        return Outcome(
            messages=[say(templates.FALLBACK_TEXT)],
            responder="fallback",
            turns=[senior_turn],
            changes=SeniorChanges(
                last_message_at=now, memory=memory, usage=Usage(day=today, tokens=used + tokens)
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
            Turn(role="daichan", text=guarded.text, at=now, persona_version=persona_version),
        ],
        changes=SeniorChanges(
            last_message_at=now, memory=memory, usage=Usage(day=today, tokens=used + tokens)
        ),
    )
