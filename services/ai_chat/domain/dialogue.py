"""Dai-chan's fixed decisions: menus, buttons, pending questions, check-ins, memory, greetings.

Each is a pure function of what the dialogue loaded (the senior, the programme facts) and the
time; the order they are asked in, and the model, are the dialogue's (`usecases/dialogue.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.ai_chat.domain import templates
from services.ai_chat.domain.checkins import next_checkin_at
from services.ai_chat.domain.faq import Topic
from services.ai_chat.domain.faq.answers import DEFAULT_DESK, Desk, answer
from services.ai_chat.domain.guidance import (
    MENU_TOPICS,
    SAFETY_CHECK,
    certain_guidance,
    check_escalated,
    check_settled,
)
from services.ai_chat.domain.hours import desk_hours
from services.ai_chat.domain.intents import Intent, check_answer, confirmation
from services.ai_chat.domain.outcome import Inbound, Outcome, say
from services.ai_chat.domain.programme import (
    ProgrammeFacts,
    loan_answer,
    public_sessions_answer,
    sessions_answer,
)
from services.ai_chat.domain.seniors import Checkin, Pending, Senior, SeniorChanges, Turn
from services.ai_chat.metrics import CHECKINS, MEMORY_EVENTS
from services.common.calendar import BusinessCalendar
from services.common.events.contracts.line import Action, SendPriority
from services.common.events.postback_data import PostbackData
from services.common.language.text import clip, normalise
from services.common.programme.views import AreaView, SessionView
from services.common.safety import Detection, Route
from services.common.wording import jst_date

SAFE_ROUTES_WHILE_WITH_A_PERSON = (Route.EMERGENCY, Route.SELF_HARM)
# The pending question 「どこの 市町村に 住んでるか」, answered by the next message.
ASK_AREA = "ask_area"
# The helpdesk's default hours (09:00-17:00 on weekdays, holidays closed), as its settings'.
DEFAULT_CALENDAR = BusinessCalendar()


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
    # How Dai-chan tells seniors to reach the helpdesk (the FAQ), from the helpdesk's settings.
    desk: Desk = DEFAULT_DESK
    # When a person answers (hand-over, safety texts): the helpdesk's own calendar.
    calendar: BusinessCalendar = DEFAULT_CALENDAR


def with_person(
    inbound: Inbound, senior: Senior, now: datetime, settings: DialogueSettings
) -> bool:
    return inbound.human_mode or senior.human.holds(
        now=now, pending_timeout=settings.handover_pending_timeout
    )


def left_to_person(senior: Senior, now: datetime, settings: DialogueSettings) -> Outcome:
    """While a person has the conversation Dai-chan is silent, but for one acknowledgement per
    wait for a person it asked for, saying honestly when that person will answer (so a message
    sent at 03:20 is not met with silence until the desk opens). Decided from the stored wait,
    and checked again when recorded (`OutcomeRecorder`), so redeliveries never add a second."""
    wait = senior.human.unacknowledged_wait()
    if wait is None:
        return Outcome.silence("human_mode", SeniorChanges(last_message_at=now))
    return Outcome(
        messages=[say(templates.waiting_text(desk_hours(settings.calendar, now)))],
        priority=SendPriority.SERVICE,
        purpose="ai_chat.handover",
        kind="waiting_acknowledged",
        acknowledges=wait,
        changes=SeniorChanges(last_message_at=now, acknowledged_wait=wait),
    )


def unsure_transcript(text: str, confidence: float | None, settings: DialogueSettings) -> bool:
    if len(normalise(text)) < settings.transcript_min_chars:
        return True
    return confidence is not None and confidence < settings.transcript_min_confidence


def fixed(text: str, kind: str, now: datetime) -> Outcome:
    """A fixed answer with no choices that changes nothing but the time of the last message."""
    return Outcome(messages=[say(text)], kind=kind, changes=SeniorChanges(last_message_at=now))


def voice_unsure(text: str, now: datetime) -> Outcome:
    question, choices = templates.voice_unsure(clip(text, 60))
    return Outcome(
        messages=[say(question, choices)],
        kind="voice_unsure",
        changes=SeniorChanges(last_message_at=now),
    )


# -- questions waiting for an answer, and requests answered from data ---------------------------


def pending_answer(
    inbound: Inbound, senior: Senior, text: str, now: datetime, calendar: BusinessCalendar
) -> Outcome | None:
    pending = senior.pending
    if pending is None or pending.until < now:
        return None
    if pending.action == SAFETY_CHECK and pending.route in MENU_TOPICS:
        route = MENU_TOPICS[pending.route]
        reply = check_answer(text)
        if reply == "help":
            return check_escalated(inbound, senior, route, now=now, calendar=calendar)
        if reply == "ok":
            return check_settled(now, route)
        return None
    if pending.action != "forget":
        return None
    answer = confirmation(text)
    if answer is True:
        return forget(now)
    if answer is False:
        return memory_kept(now)
    return None


def forget(now: datetime) -> Outcome:
    MEMORY_EVENTS.labels("erased").inc()
    return Outcome(
        messages=[say(templates.FORGOTTEN_TEXT)],
        kind="memory_erased",
        purpose="ai_chat.memory",
        changes=SeniorChanges(last_message_at=now, erase_memory=True, clear_pending=True),
    )


def memory_kept(now: datetime) -> Outcome:
    return Outcome(
        messages=[say(templates.FORGET_KEPT_TEXT)],
        kind="memory_kept",
        changes=SeniorChanges(last_message_at=now, clear_pending=True),
    )


def ask_to_forget(now: datetime, settings: DialogueSettings) -> Outcome:
    return Outcome(
        messages=[say(templates.FORGET_CONFIRM_TEXT, templates.FORGET_CHOICES)],
        kind="memory_confirm",
        purpose="ai_chat.memory",
        changes=SeniorChanges(
            last_message_at=now,
            pending=Pending(action="forget", until=now + settings.confirmation_ttl),
        ),
    )


def help_menu(now: datetime) -> Outcome:
    return _menu(templates.HELP_MENU_TEXT, templates.HELP_MENU, "help_menu", "ai_chat.menu", now)


def checkin_menu(now: datetime) -> Outcome:
    return _menu(
        templates.CHECKIN_MENU_TEXT,
        templates.CHECKIN_CHOICES,
        "checkin_menu",
        "ai_chat.checkin",
        now,
    )


def _menu(
    text: str, choices: tuple[Action, ...], kind: str, purpose: str, now: datetime
) -> Outcome:
    return Outcome(
        messages=[say(text, choices)],
        kind=kind,
        purpose=purpose,
        changes=SeniorChanges(last_message_at=now),
    )


def programme_answer(
    inbound: Inbound, intent: Intent, facts: ProgrammeFacts, *, now: datetime
) -> Outcome:
    """The loan or the sessions, from the senior's own programme facts."""
    text, choices = (
        loan_answer(facts, today=jst_date(now))
        if intent is Intent.MY_LOAN
        else sessions_answer(facts)
    )
    return _programme_outcome(inbound, text, choices, f"programme_{intent.value}", now)


def faq_answer(
    inbound: Inbound, topic: Topic, desk: Desk, facts: ProgrammeFacts | None, *, now: datetime
) -> Outcome:
    """The reviewed FAQ answer; a borrower asking about sessions (`facts`, theirs) also hears the
    bookable ones."""
    text = answer(topic, desk)
    choices: tuple[Action, ...] = ()
    if topic is Topic.SESSIONS:
        if facts is not None and facts.linked:
            listed, choices = sessions_answer(facts)
            text = f"{text}\n{listed}"
        else:
            text = f"{text}\n{desk.how_to_reach()}"
    return _programme_outcome(inbound, text, choices, f"faq_{topic.value}", now)


def awaiting_area(senior: Senior, now: datetime) -> bool:
    """Dai-chan asked where the senior lives, and this message may be the answer."""
    pending = senior.pending
    return pending is not None and pending.action == ASK_AREA and pending.until >= now


def ask_area(inbound: Inbound, desk: Desk, *, now: datetime, settings: DialogueSettings) -> Outcome:
    """A friend with no tablet asked about sessions and Dai-chan does not know their area yet."""
    text = f"{answer(Topic.SESSIONS, desk)}\n{templates.ASK_AREA_TEXT}"
    outcome = _programme_outcome(inbound, text, (), "public_sessions_area_asked", now)
    outcome.changes.pending = Pending(action=ASK_AREA, until=now + settings.confirmation_ttl)
    return outcome


def area_unknown(inbound: Inbound, desk: Desk, *, now: datetime) -> Outcome:
    text = f"{templates.AREA_UNKNOWN_TEXT}\n{desk.how_to_reach()}"
    outcome = _programme_outcome(inbound, text, (), "public_sessions_area_unknown", now)
    outcome.changes.clear_pending = True
    return outcome


def area_sessions(
    inbound: Inbound,
    senior: Senior,
    area: AreaView,
    sessions: list[SessionView],
    desk: Desk,
    *,
    now: datetime,
) -> Outcome:
    """The explanatory sessions of the senior's area; the area's code is remembered (until
    「忘れて」) so that the next question needs no asking."""
    text = f"{answer(Topic.SESSIONS, desk)}\n{public_sessions_answer(area.name, sessions, desk)}"
    outcome = _programme_outcome(inbound, text, (), "public_sessions", now)
    outcome.changes.clear_pending = True
    if senior.memory.area_code != area.code:
        MEMORY_EVENTS.labels("fact_saved").inc()
        outcome.changes.memory = senior.memory.model_copy(
            update={"area_code": area.code, "updated_at": now}
        )
    return outcome


def _programme_outcome(
    inbound: Inbound, text: str, choices: tuple[Action, ...], kind: str, now: datetime
) -> Outcome:
    turns = []
    if inbound.text and inbound.via != "button":
        turns = [
            Turn(role="senior", text=inbound.text, at=inbound.sent_at, via=inbound.via),
            Turn(role="daichan", text=text, at=now),
        ]
    return Outcome(
        messages=[say(text, choices)],
        kind=kind,
        purpose="ai_chat.programme",
        turns=turns,
        changes=SeniorChanges(last_message_at=now),
    )


# -- buttons ------------------------------------------------------------------------------------


def parse_postback(data: str) -> tuple[str | None, dict[str, str]]:
    """("my_loan", {}) for "daichan:my_loan"; (None, {}) for another service's button."""
    parsed = PostbackData.parse(data)
    if parsed is None or not parsed.for_service("daichan"):
        return None, {}
    return parsed.action, parsed.params


def safety_button(
    inbound: Inbound,
    senior: Senior,
    action: str,
    params: dict[str, str],
    *,
    now: datetime,
    settings: DialogueSettings,
) -> Outcome | None:
    """The help menu's safety topics and the answers to a safety check (None: not one)."""
    if action == "help" and params.get("topic") in MENU_TOPICS:
        route = MENU_TOPICS[params["topic"]]
        if (
            with_person(inbound, senior, now, settings)
            and route not in SAFE_ROUTES_WHILE_WITH_A_PERSON
        ):
            return left_to_person(senior, now, settings)
        return certain_guidance(
            inbound,
            senior,
            Detection(routes=(route,), reasons=("menu",)),
            now=now,
            calendar=settings.calendar,
            detector="menu",
        )
    if action == "check" and params.get("route") in MENU_TOPICS:
        route = MENU_TOPICS[params["route"]]
        if params.get("answer") == "help":
            return check_escalated(inbound, senior, route, now=now, calendar=settings.calendar)
        return check_settled(now, route)
    return None


def forget_button(params: dict[str, str], *, now: datetime, settings: DialogueSettings) -> Outcome:
    confirm = params.get("confirm")
    if confirm == "yes":
        return forget(now)
    if confirm == "no":
        return memory_kept(now)
    return ask_to_forget(now, settings)


def checkin_choice(senior: Senior, at: str | None, now: datetime) -> Outcome:
    if at is None:
        return checkin_menu(now)
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
        return fixed(templates.UNKNOWN_BUTTON_TEXT, "unknown_button", now)
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


# -- other kinds of messages, voice and friendship -------------------------------------------------


def non_text_answer(message_type: str, now: datetime) -> Outcome:
    text = templates.NON_TEXT_ANSWERS.get(message_type, templates.NON_TEXT_ANSWERS["file"])
    return fixed(text, message_type, now)


def audio_filename(content_type: str) -> str:
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


def followed(senior: Senior, *, is_unblocked: bool) -> Outcome:
    returning = is_unblocked or senior.following is False
    text = templates.GREETING_BACK if returning else templates.GREETING_NEW
    return Outcome(
        messages=[say(text, templates.GREETING_CHOICES)],
        priority=SendPriority.LOW,
        purpose="ai_chat.greeting",
        kind="greeting_back" if returning else "greeting_new",
        changes=SeniorChanges(following=True),
    )


def unfollowed(senior: Senior) -> Outcome:
    changes = SeniorChanges(following=False)
    if senior.checkin.enabled:
        # Blocking the account withdraws the opt-in; following again starts without it.
        CHECKINS.labels("opted_out").inc()
        changes.checkin = senior.checkin.model_copy(update={"enabled": False})
    return Outcome.silence("unfollowed", changes)
