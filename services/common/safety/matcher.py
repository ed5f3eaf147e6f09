"""The safety concepts' index (every lexicon module, built once) and the rules that hold.

The reading itself, one pass over the words per sentence, is `services.common.language.matcher`'s.
"""

from __future__ import annotations

from functools import lru_cache

from services.common.language import matcher as language
from services.common.language.concepts import Concept
from services.common.language.matcher import ConceptIndex, Mentions
from services.common.language.morphology import Analysis
from services.common.safety import lexicon
from services.common.safety.concepts import Rule

__all__ = [
    "ALL_CONCEPTS",
    "ConceptIndex",
    "Mentions",
    "default_index",
    "matching",
    "sentence_mentions",
]


ALL_CONCEPTS: tuple[Concept, ...] = tuple(
    sorted(
        {
            id(value): value
            for module in lexicon.MODULES
            for value in vars(module).values()
            if isinstance(value, Concept)
        }.values(),
        key=lambda c: c.name,
    )
)


@lru_cache(maxsize=1)
def default_index() -> ConceptIndex:
    return ConceptIndex(ALL_CONCEPTS)


def sentence_mentions(analysis: Analysis, index: ConceptIndex | None = None) -> list[Mentions]:
    """Each sentence's mentions of the safety concepts (what rules and features both read)."""
    return language.sentence_mentions(analysis, index or default_index())


def matching(
    rules: tuple[Rule, ...], analysis: Analysis, mentions: list[Mentions] | None = None
) -> list[Rule]:
    """The safety rules that hold in some sentence of the message."""
    found = mentions if mentions is not None else sentence_mentions(analysis)
    return language.matching(rules, analysis, found)
