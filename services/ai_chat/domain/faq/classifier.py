"""The FAQ classifier beside the questions: `services.common.language.linear` with one label per topic.

Written by `python -m eval.train_faq` (byte for byte from the committed corpus); each topic's
threshold is chosen on the development split. It answers only where no question held.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from services.ai_chat.domain.faq import lexicon
from services.ai_chat.domain.faq.questions import Question, Topic
from services.common.language import features as language
from services.common.language.concepts import Concept
from services.common.language.linear import LinearModel, load
from services.common.language.matcher import ConceptIndex, Mentions
from services.common.language.morphology import Analysis

MODEL_PATH = Path(__file__).with_name("model") / "classifier.json"

CONCEPTS: tuple[Concept, ...] = tuple(
    sorted(
        (value for value in vars(lexicon).values() if isinstance(value, Concept)),
        key=lambda c: c.name,
    )
)

FaqClassifier = LinearModel[Topic]


@lru_cache(maxsize=1)
def concept_index() -> ConceptIndex:
    return ConceptIndex(CONCEPTS)


@lru_cache(maxsize=1)
def default_classifier() -> FaqClassifier | None:
    return load(MODEL_PATH, Topic)


def features(analysis: Analysis, held: list[Question], mentions: list[Mentions]) -> list[str]:
    return language.features(analysis, (q.name for q in held), mentions, CONCEPTS)
