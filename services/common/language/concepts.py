"""The small language rules about Japanese messages are written in: concepts, and patterns of them.

A **concept** is a set of words (lemmas, so every conjugation and spelling is one entry) and,
where the analyser is unsure, of kana spellings matched on the sentence's reading at word
boundaries (`morphology`). A **rule** says which concepts must be mentioned together in one
sentence, within a few words of each other, and whether each must be affirmed (胸が痛い), negated
(立たれへん) or either; concepts listed under `unless` in the same stretch cancel the rule (a
drama, a class, last year).

    Rule("stroke.face", EMERGENCY, (yes(FACE), yes(ONE_SIDE), any_(DROOP)))

reads as: a face, one side, and drooping, in one sentence. That is what a reviewer checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol


@dataclass(frozen=True)
class Concept:
    name: str
    words: frozenset[str]
    # Kana spellings matched only where the words were typed in kana (かじ is not 家事).
    kana: tuple[str, ...] = ()
    # Readings matched whatever the script (しにたい is 死にたい and しにたい alike): phrases whose
    # sound is unambiguous.
    readings: tuple[str, ...] = ()
    # When set, a word matches only as one of these parts of speech (いき as 息, not 行き).
    pos: frozenset[str] = frozenset()
    # Verbs only in their own sense, not as auxiliaries after て (電話が来た, not おろしてきた).
    main_only: bool = False


def _longest_first(spellings: set[str]) -> tuple[str, ...]:
    return tuple(sorted(spellings, key=lambda k: (-len(k), k)))


def concept(
    name: str,
    words: str = "",
    *,
    kana: str = "",
    reads: str = "",
    pos: str = "",
    main_only: bool = False,
) -> Concept:
    """A concept from space-separated words and kana spellings (easier to read in bulk)."""
    return Concept(
        name=name,
        words=frozenset(words.split()),
        kana=_longest_first(set(kana.split())),
        readings=_longest_first(set(reads.split())),
        pos=frozenset(pos.split()),
        main_only=main_only,
    )


def union(name: str, *concepts: Concept) -> Concept:
    return Concept(
        name=name,
        words=frozenset().union(*(c.words for c in concepts)),
        kana=_longest_first({k for c in concepts for k in c.kana}),
        readings=_longest_first({k for c in concepts for k in c.readings}),
    )


@dataclass(frozen=True, slots=True)
class Mention:
    index: int
    negated: bool
    past: bool = False


class Polarity(Enum):
    AFFIRMED = "affirmed"
    NEGATED = "negated"
    EITHER = "either"


@dataclass(frozen=True)
class Term:
    concept: Concept
    polarity: Polarity
    # Only a predicate that is not in the past (a request now, not a report of one).
    now: bool = False

    def accepts(self, mention: Mention) -> bool:
        if self.now and mention.past:
            return False
        if self.polarity is Polarity.EITHER:
            return True
        return mention.negated is (self.polarity is Polarity.NEGATED)


def yes(c: Concept) -> Term:
    return Term(c, Polarity.AFFIRMED)


def no(c: Concept) -> Term:
    return Term(c, Polarity.NEGATED)


def any_(c: Concept) -> Term:
    return Term(c, Polarity.EITHER)


def now(c: Concept) -> Term:
    """Affirmed and not in the past: 話したい, 代わって (not 紹介してもらいました)."""
    return Term(c, Polarity.AFFIRMED, now=True)


class Pattern(Protocol):
    """What the matcher reads of a rule: the terms said together, what cancels them, how far apart
    they may be, and the longest sentence they count in (a safety `Rule`, an FAQ `Question`)."""

    @property
    def terms(self) -> tuple[Term, ...]: ...
    @property
    def unless(self) -> tuple[Concept, ...]: ...
    @property
    def window(self) -> int: ...
    @property
    def max_words(self) -> int | None: ...
