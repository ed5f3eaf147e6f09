"""The programme's questions: which concepts, said together in one sentence, ask which topic.

A question is a pattern like a safety rule (`services.common.language`), read the same way; topics are
tried in `TOPIC_ORDER`, so a broken tablet is not read as a question about borrowing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.ai_chat.domain.faq.lexicon import (
    AGE,
    APPLY,
    ATTEND,
    BORROW,
    CONTACT,
    COST,
    DAMAGED,
    DUE_WHEN,
    END,
    HELPDESK,
    HOURS,
    HOW,
    LIVE,
    LOST,
    OTHER_DESK,
    OTHER_EVENT,
    OTHER_THING,
    PERIOD,
    POWER,
    PROGRAMME,
    QUALIFY,
    RETURN,
    SESSION,
    SPEAK_NOW,
    TABLET,
    THIS_DESK,
    WHEN,
    WORKS,
)
from services.common.language.concepts import Concept, Polarity, Term, any_, no, yes


class Topic(StrEnum):
    APPLY = "apply"
    ELIGIBILITY = "eligibility"
    SESSIONS = "sessions"
    RETURN = "return"
    BROKEN_LOST = "broken_lost"
    HELPDESK = "helpdesk"


# The most specific first: a lost tablet before returning it, returning before borrowing.
TOPIC_ORDER = (
    Topic.BROKEN_LOST,
    Topic.RETURN,
    Topic.HELPDESK,
    Topic.SESSIONS,
    Topic.ELIGIBILITY,
    Topic.APPLY,
)


@dataclass(frozen=True)
class Question:
    name: str
    topic: Topic
    terms: tuple[Term, ...]
    unless: tuple[Concept, ...] = ()
    window: int = 10
    max_words: int | None = None


def wanted(c: Concept) -> Term:
    """Said of now or the future, either polarity: 借りたい, 借りられへん? (not 借りた)."""
    return Term(c, Polarity.EITHER, now=True)


T = Topic
NOT_OURS = (OTHER_THING, OTHER_EVENT)
RETURN_NOT = (OTHER_THING, DUE_WHEN)
QUESTIONS: tuple[Question, ...] = (
    # -- broken or lost ------------------------------------------------------------------------
    Question("broken.tablet", T.BROKEN_LOST, (yes(TABLET), yes(DAMAGED)), unless=(OTHER_THING,)),
    Question("broken.dead", T.BROKEN_LOST, (yes(TABLET), no(WORKS)), unless=(OTHER_THING,)),
    Question("broken.power", T.BROKEN_LOST, (yes(POWER), no(WORKS)), unless=(OTHER_THING,)),
    Question("lost.tablet", T.BROKEN_LOST, (yes(TABLET), any_(LOST)), unless=(OTHER_THING,)),
    Question("broken.pay", T.BROKEN_LOST, (yes(DAMAGED), any_(COST)), unless=(OTHER_THING,)),
    # -- returning (how it works; the senior's own date is `intents`' my loan) -------------------
    Question("return.tablet", T.RETURN, (yes(TABLET), any_(RETURN)), unless=RETURN_NOT),
    Question("return.how", T.RETURN, (any_(RETURN), yes(HOW)), unless=RETURN_NOT, window=6),
    Question("return.end", T.RETURN, (yes(END), any_(RETURN)), unless=RETURN_NOT),
    Question("return.period", T.RETURN, (yes(PERIOD), yes(HOW)), unless=RETURN_NOT, window=8),
    Question("return.programme", T.RETURN, (yes(PROGRAMME), yes(END)), unless=RETURN_NOT),
    # -- the helpdesk ---------------------------------------------------------------------------
    Question("helpdesk.hours", T.HELPDESK, (yes(HELPDESK), yes(HOURS)), unless=(OTHER_DESK,)),
    Question("helpdesk.contact", T.HELPDESK, (yes(THIS_DESK), yes(CONTACT)), unless=(OTHER_DESK,)),
    Question(
        "helpdesk.reach",
        T.HELPDESK,
        (yes(HELPDESK), any_(HOW)),
        unless=(OTHER_DESK, SPEAK_NOW),
        max_words=6,
    ),
    # -- sessions -------------------------------------------------------------------------------
    Question("sessions.when", T.SESSIONS, (yes(SESSION), any_(WHEN)), unless=NOT_OURS),
    Question("sessions.attend", T.SESSIONS, (yes(SESSION), any_(ATTEND)), unless=NOT_OURS),
    Question("sessions.what", T.SESSIONS, (yes(SESSION), any_(HOW)), unless=NOT_OURS),
    Question("sessions.named", T.SESSIONS, (yes(SESSION),), unless=NOT_OURS, max_words=3),
    # -- who may borrow -------------------------------------------------------------------------
    Question("eligibility.where", T.ELIGIBILITY, (yes(QUALIFY), any_(LIVE)), unless=NOT_OURS),
    Question("eligibility.age", T.ELIGIBILITY, (yes(QUALIFY), any_(AGE)), unless=NOT_OURS),
    Question("eligibility.who", T.ELIGIBILITY, (yes(QUALIFY), any_(BORROW)), unless=NOT_OURS),
    Question("eligibility.tablet", T.ELIGIBILITY, (yes(TABLET), yes(QUALIFY)), unless=NOT_OURS),
    Question(
        "eligibility.programme", T.ELIGIBILITY, (yes(PROGRAMME), yes(QUALIFY)), unless=NOT_OURS
    ),
    Question(
        "eligibility.asked", T.ELIGIBILITY, (yes(QUALIFY), any_(HOW)), unless=NOT_OURS, max_words=6
    ),
    Question(
        "eligibility.borrow_age",
        T.ELIGIBILITY,
        (any_(AGE), wanted(BORROW)),
        unless=(*NOT_OURS, DUE_WHEN),
    ),
    Question(
        "eligibility.borrow_where",
        T.ELIGIBILITY,
        (yes(LIVE), wanted(BORROW)),
        unless=(*NOT_OURS, DUE_WHEN),
    ),
    Question("eligibility.cost", T.ELIGIBILITY, (yes(TABLET), any_(COST)), unless=(OTHER_THING,)),
    Question("eligibility.free", T.ELIGIBILITY, (yes(PROGRAMME), any_(COST)), unless=NOT_OURS),
    Question("eligibility.lent_free", T.ELIGIBILITY, (any_(COST), wanted(BORROW)), unless=NOT_OURS),
    # -- applying -------------------------------------------------------------------------------
    Question("apply.borrow", T.APPLY, (yes(TABLET), wanted(BORROW)), unless=(OTHER_THING,)),
    Question("apply.form", T.APPLY, (any_(APPLY), yes(TABLET)), unless=(OTHER_THING,)),
    Question("apply.programme", T.APPLY, (any_(APPLY), yes(PROGRAMME)), unless=NOT_OURS),
    Question("apply.how", T.APPLY, (yes(APPLY), yes(HOW)), unless=NOT_OURS, window=5),
)
