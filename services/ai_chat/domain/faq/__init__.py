"""The programme FAQ: what a friend of the account asks about the tablets, answered without the
model — how to apply, who may borrow, the sessions, returning, a broken or lost tablet, the
helpdesk. `recognise` reads the question: the reviewed questions (`questions`) say what they
recognise, and the trained classifier (`classifier`), which reads them among its features,
decides; with no model file the questions decide alone. `answers` says the reviewed answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.ai_chat.domain.faq.classifier import (
    FaqClassifier,
    concept_index,
    default_classifier,
    features,
)
from services.ai_chat.domain.faq.lexicon import ANCHORS, DUE_WHEN
from services.ai_chat.domain.faq.questions import QUESTIONS, TOPIC_ORDER, Question, Topic
from services.common.language.matcher import Mentions, matching, sentence_mentions
from services.common.language.morphology import Analysis, analyse

__all__ = ["Reading", "Topic", "answerable", "read", "recognise", "recognise_analysed"]


@dataclass(frozen=True)
class Reading:
    """What the FAQ made of a message: the questions that held, each topic's probability."""

    questions: tuple[Question, ...]
    probabilities: dict[Topic, float]
    topic: Topic | None
    # A date is asked (いつまで, 期限, 何日): with the senior's own loan, the date is theirs.
    asks_a_date: bool = False


def held_questions(analysis: Analysis) -> tuple[list[Question], list[Mentions]]:
    mentions = sentence_mentions(analysis, concept_index())
    return matching(QUESTIONS, analysis, mentions), mentions


def about_the_programme(mentions: list[Mentions]) -> bool:
    return any(anchor.name in found for found in mentions for anchor in ANCHORS)


def first_topic(held: list[Question]) -> Topic | None:
    asked = {question.topic for question in held}
    return next((t for t in TOPIC_ORDER if t in asked), None)


def read(analysis: Analysis, classifier: FaqClassifier | None) -> Reading:
    held, mentions = held_questions(analysis)
    topic = first_topic(held)
    dated = any(DUE_WHEN.name in found for found in mentions)
    if classifier is None:
        return Reading(tuple(held), probabilities={}, topic=topic, asks_a_date=dated)
    # The questions are the classifier's strongest features (`r:`), not a floor under it: it has
    # learned from the look-alikes when a question that held was about something else.
    probabilities = classifier.probabilities(features(analysis, held, mentions))
    likely, p = max(probabilities.items(), key=lambda item: item[1])
    sure = p >= classifier.thresholds[likely].certain
    chosen = likely if sure and about_the_programme(mentions) else None
    return Reading(tuple(held), probabilities=probabilities, topic=chosen, asks_a_date=dated)


def recognise_analysed(analysis: Analysis) -> Topic | None:
    return read(analysis, default_classifier()).topic


def recognise(text: str) -> Topic | None:
    """The programme topic `text` asks about, or None (most messages: a miss lets Dai-chan talk)."""
    return recognise_analysed(analyse(text))


def answerable(analysis: Analysis, *, own_loan_asked: bool) -> Topic | None:
    """The topic the dialogue answers from the FAQ. `own_loan_asked`: `intents` read the message
    as the senior's own loan; if it also asks for a date (「いつまでに返せばいい？」), the date is
    theirs, not how returning works, and the FAQ leaves it to the loan answer."""
    reading = read(analysis, default_classifier())
    return None if own_loan_asked and reading.asks_a_date else reading.topic
