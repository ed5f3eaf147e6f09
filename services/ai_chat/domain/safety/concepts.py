"""The small language the safety rules are written in: concepts, and rules that combine them.

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

import itertools
from dataclasses import dataclass, field
from enum import Enum

from services.ai_chat.domain.safety.morphology import Analysis, Sentence, Token, analyse
from services.ai_chat.domain.safety.routes import Route, Tier


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


@dataclass(frozen=True)
class Rule:
    name: str
    route: Route
    terms: tuple[Term, ...]
    unless: tuple[Concept, ...] = ()
    # The widest stretch, in words, that the mentions may span.
    window: int = 10
    tier: Tier = Tier.CERTAIN
    # Fraud of the consumer kind (fake bills, doorstep sales): the guidance adds 188.
    consumer: bool = False
    # Only in a sentence of at most this many words ("係の人", "オペ" said on their own).
    max_words: int | None = None


@dataclass(frozen=True)
class _Compiled:
    # Entries the analyser reads as one word.
    words: frozenset[str]
    # The same words as they come out when typed in kana (止まる → とまる), with their part of
    # speech: Sudachi keeps the kana lemma of a word it cannot tell from its homophones.
    kana_words: frozenset[tuple[str, str]]
    # Entries it reads as several (気を付ける → 気, を, 付ける): matched as a run of lemmas.
    phrases: tuple[tuple[str, ...], ...]


# Shorter readings collide with too many other words (血 ち, 手 て, 火 ひ).
_MIN_KANA_WORD = 3


_COMPILED: dict[str, _Compiled] = {}


def _compiled(c: Concept) -> _Compiled:
    compiled = _COMPILED.get(c.name)
    if compiled is None:
        words: set[str] = set()
        kana_words: set[tuple[str, str]] = set()
        phrases: list[tuple[str, ...]] = []
        for entry in c.words:
            tokens = [t for s in analyse(entry).sentences for t in s.tokens]
            if len(tokens) > 1:
                phrases.append(tuple(t.lemma for t in tokens))
                continue
            words.add(entry.lower())
            if tokens and not tokens[0].typed_in_kana:
                reading = _dictionary_reading(tokens[0])
                if len(reading) >= _MIN_KANA_WORD:
                    kana_words.add((reading, tokens[0].pos))
        compiled = _Compiled(frozenset(words), frozenset(kana_words), tuple(sorted(set(phrases))))
        _COMPILED[c.name] = compiled
    return compiled


def _dictionary_reading(token: Token) -> str:
    """The kana of a word's dictionary form (痛い → いたい), from its reading and lemma ending."""
    # For an entry written in its dictionary form the reading is already the dictionary form's.
    return token.kana


def _word_matches(c: Concept, compiled: _Compiled, token: Token) -> bool:
    if c.pos and token.pos not in c.pos:
        return False
    if c.main_only and token.auxiliary_use:
        return False
    if any(form in compiled.words for form in token.forms):
        return True
    return token.typed_in_kana and (token.base, token.pos) in compiled.kana_words


def _phrase_at(phrase: tuple[str, ...], tokens: tuple[Token, ...], start: int) -> bool:
    if start + len(phrase) > len(tokens):
        return False
    return all(lemma in tokens[start + offset].forms for offset, lemma in enumerate(phrase))


def find(c: Concept, sentence: Sentence) -> list[Mention]:
    """Where a concept is mentioned in a sentence: by word, phrase or kana spelling."""
    compiled = _compiled(c)
    tokens = sentence.tokens
    found: dict[int, Mention] = {}
    for index, token in enumerate(tokens):
        if _word_matches(c, compiled, token):
            found[index] = Mention(index, token.negated, token.past)
            continue
        for phrase in compiled.phrases:
            if _phrase_at(phrase, tokens, index):
                last = tokens[index + len(phrase) - 1]
                found[index] = Mention(index, last.negated, last.past)
                break
    for spelling, typed_only in [(k, True) for k in c.kana] + [(r, False) for r in c.readings]:
        start = sentence.kana.find(spelling)
        while start >= 0:
            end = start + len(spelling)
            first = sentence.token_at(start)
            # A reading may end inside a word (しにたいしにたい is read in odd pieces).
            ends_right = end in sentence.ends or not typed_only
            if first is not None and ends_right and first not in found:
                last = first
                while last + 1 < len(tokens) and tokens[last + 1].offset < end:
                    last += 1
                if not typed_only or all(t.typed_in_kana for t in tokens[first : last + 1]):
                    found[first] = Mention(first, tokens[last].negated, tokens[last].past)
            start = sentence.kana.find(spelling, start + 1)
    return sorted(found.values(), key=lambda m: m.index)


@dataclass
class _SentenceIndex:
    sentence: Sentence
    cache: dict[str, list[Mention]] = field(default_factory=dict)

    def mentions(self, c: Concept) -> list[Mention]:
        if c.name not in self.cache:
            self.cache[c.name] = find(c, self.sentence)
        return self.cache[c.name]


def _span_fits(rule: Rule, index: _SentenceIndex) -> tuple[int, int] | None:
    options = []
    for term in rule.terms:
        accepted = [m.index for m in index.mentions(term.concept) if term.accepts(m)]
        if not accepted:
            return None
        options.append(accepted)
    best: tuple[int, int] | None = None
    for combination in itertools.islice(itertools.product(*options), 2_000):
        low, high = min(combination), max(combination)
        if high - low <= rule.window and (best is None or high - low < best[1] - best[0]):
            best = (low, high)
    return best


def _cancelled(rule: Rule, index: _SentenceIndex, span: tuple[int, int]) -> bool:
    # Context reaches further than the danger itself: 「ニュースで…と聞いて、胸が痛みました」.
    reach = max(2 * rule.window, 12)
    low, high = span[0] - reach, span[1] + reach
    return any(
        low <= m.index <= high for blocker in rule.unless for m in index.mentions(blocker)
    )


def _content_words(sentence: Sentence) -> int:
    return sum(t.pos not in ("particle", "auxiliary", "other") for t in sentence.tokens)


def matching(rules: tuple[Rule, ...], analysis: Analysis) -> list[Rule]:
    """The rules that hold in some sentence of the message."""
    indexes = [_SentenceIndex(s) for s in analysis.sentences]
    hits = []
    for rule in rules:
        for index in indexes:
            if rule.max_words is not None and _content_words(index.sentence) > rule.max_words:
                continue
            span = _span_fits(rule, index)
            if span is not None and not _cancelled(rule, index, span):
                hits.append(rule)
                break
    return hits


def mentioned(analysis: Analysis, concepts: tuple[Concept, ...]) -> list[str]:
    """The names of the concepts mentioned anywhere (features for the classifier)."""
    names = []
    for c in concepts:
        for sentence in analysis.sentences:
            hits = find(c, sentence)
            if hits:
                names.append(c.name)
                if any(m.negated for m in hits):
                    names.append(f"{c.name}:not")
                break
    return names
