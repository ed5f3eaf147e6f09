"""What Dai-chan does about a safety route: full guidance when certain, a short check when unsure.

- **Certain** (a rule, the classifier above its `certain` threshold, moderation, a confident
  model triage, the help menu): the fixed template of each route, and a help request with the
  route's priority (urgent for emergencies and self-harm) and a hand-over to a person.
- **Uncertain** (the grey band): Dai-chan's own answer is sent with a short fixed check after it
  (「急に ぐあいが 悪く なったら 119…」) and two buttons, and the helpdesk gets a normal-priority
  review request, without a hand-over. The senior's next answer settles it: 「たすけて」 turns
  it into the certain route, 「だいじょうぶ」 closes it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from services.ai_chat.domain import templates
from services.ai_chat.domain.hours import desk_hours
from services.ai_chat.domain.outcome import HelpRequest, Inbound, Outcome, say
from services.ai_chat.domain.seniors import Pending, Senior, SeniorChanges, Turn
from services.ai_chat.metrics import SAFETY_CHECKS, SAFETY_ESCALATIONS
from services.common.calendar import BusinessCalendar
from services.common.events.contracts.helpdesk import Priority, RequestReason
from services.common.events.contracts.line import PostbackAction, SendPriority
from services.common.language.text import clip
from services.common.logging import get_logger, user_ref
from services.common.safety import Detection, Route

log = get_logger(__name__)

REQUEST_FOR = {
    Route.EMERGENCY: (RequestReason.EMERGENCY, Priority.URGENT),
    Route.SELF_HARM: (RequestReason.SELF_HARM, Priority.URGENT),
    Route.FRAUD: (RequestReason.FRAUD_SUSPECTED, Priority.HIGH),
    Route.PERSON: (RequestReason.PERSON_REQUESTED, Priority.NORMAL),
}
MENU_TOPICS = {route.value: route for route in Route}
MENU_LABELS = {
    MENU_TOPICS[choice.data.split("topic=")[1]]: choice.label
    for choice in templates.HELP_MENU
    if isinstance(choice, PostbackAction) and "topic=" in choice.data
}
# How long the senior's next message is read as the answer to a check.
CHECK_TTL = timedelta(minutes=30)
SAFETY_CHECK = "safety_check"


def detector_of(detection: Detection) -> str:
    """Which layer to credit in the metrics: the first that made a route certain."""
    for reason in detection.reasons:
        layer = reason.split(":", 1)[0]
        if layer == "rule":
            return "rules"
        if layer in ("classifier", "triage", "moderation", "menu", "check"):
            return layer
    return "rules"


def _said(inbound: Inbound, primary: Route) -> str:
    if inbound.via == "button":
        return f"メニューから「{MENU_LABELS.get(primary, primary.value)}」を えらびました。"
    heard = "（声を 文字に したもの）" if inbound.via == "voice" else ""
    return f"本人の メッセージ{heard}: 「{clip(inbound.text or '', 300)}」"


def certain_guidance(
    inbound: Inbound,
    senior: Senior,
    detection: Detection,
    *,
    now: datetime,
    calendar: BusinessCalendar,
    detector: str,
) -> Outcome:
    """The fixed guidance of each certain route; what it says of the helpdesk depends on whether
    the desk is open at `now` (`calendar`), and when it opens if not."""
    primary = detection.primary
    assert primary is not None
    guidance: list[Route] = [r for r in detection.routes if r is not Route.PERSON]
    guidance = guidance or [Route.PERSON]
    hours = desk_hours(calendar, now)
    messages = [
        say(templates.safety_text(route, hours, consumer_fraud=detection.consumer_fraud))
        for route in guidance
    ]
    for route in detection.routes:
        SAFETY_ESCALATIONS.labels(route.value, detector).inc()
    reason, priority = REQUEST_FOR[primary]
    already_with_person_for_this = senior.human.reason == primary.value and bool(
        senior.human.tickets or senior.human.pending_since
    )
    help_request = (
        None
        if already_with_person_for_this
        else HelpRequest(
            reason=reason,
            priority=priority,
            summary=f"{templates.REQUEST_SUMMARY[primary]}\n{_said(inbound, primary)}",
        )
    )
    log.info(
        "safety route",
        user=user_ref(inbound.user_id),
        route=primary.value,
        detector=detector,
        reasons=",".join(detection.reasons),
        request=help_request is not None,
    )
    turns = []
    if inbound.text and inbound.via != "button":
        turns = [
            Turn(role="senior", text=inbound.text, at=inbound.sent_at, via=inbound.via),
            Turn(role="daichan", text=templates.SAFETY_TURN_NOTE[primary], at=now),
        ]
    only_person = guidance == [Route.PERSON]
    return Outcome(
        messages=messages,
        priority=SendPriority.SERVICE if only_person else SendPriority.SAFETY,
        purpose="ai_chat.handover" if only_person else "ai_chat.safety",
        kind=f"safety_{primary.value}",
        help=help_request,
        turns=turns,
        changes=SeniorChanges(
            last_message_at=now,
            handover_requested_at=now if help_request else None,
            handover_reason=primary.value if help_request else None,
            clear_pending=True,
        ),
        safety=not only_person,
    )


def with_check(
    outcome: Outcome, inbound: Inbound, routes: tuple[Route, ...], *, now: datetime
) -> Outcome:
    """Dai-chan's answer, followed by the short fixed check of each unsure route."""
    first = routes[0]
    for route in routes:
        SAFETY_CHECKS.labels(route.value, "asked").inc()
    log.info(
        "safety check", user=user_ref(inbound.user_id), routes=",".join(r.value for r in routes)
    )
    check = say(templates.safety_check_text(routes), templates.safety_check_choices(first))
    summary = "\n".join([*(templates.REVIEW_SUMMARY[r] for r in routes), _said(inbound, first)])
    return replace(
        outcome,
        messages=[*outcome.messages, check],
        # The check carries safety numbers: it goes out even when the month's pushes run short.
        priority=SendPriority.SAFETY,
        kind=f"safety_check_{first.value}",
        help=HelpRequest(
            reason=RequestReason.SAFETY_REVIEW,
            priority=Priority.NORMAL,
            summary=summary,
            handover=False,
        ),
        changes=replace(
            outcome.changes,
            pending=Pending(action=SAFETY_CHECK, until=now + CHECK_TTL, route=first.value),
        ),
    )


def check_settled(now: datetime, route: Route) -> Outcome:
    SAFETY_CHECKS.labels(route.value, "dismissed").inc()
    return Outcome(
        messages=[say(templates.SAFETY_CHECK_OK_TEXT)],
        kind="safety_check_ok",
        changes=SeniorChanges(last_message_at=now, clear_pending=True),
    )


def check_escalated(
    inbound: Inbound, senior: Senior, route: Route, *, now: datetime, calendar: BusinessCalendar
) -> Outcome:
    SAFETY_CHECKS.labels(route.value, "confirmed").inc()
    return certain_guidance(
        inbound,
        senior,
        Detection(routes=(route,), reasons=("check",)),
        now=now,
        calendar=calendar,
        detector="check",
    )
