"""Finding concepts in a message, and the patterns that hold: one pass over the words per sentence.

Every concept's words, phrases and kana spellings go into one index when it is first needed, so
a sentence is read once, word by word, whatever the number of concepts: each word's forms are
looked up, phrases are tried only where their first lemma occurs, and kana spellings only at
the offsets where a word starts. That keeps the local layers well inside their budget per
message (`bench/safety_latency.py`).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

from services.common.language.concepts import Concept, Mention, Pattern
from services.common.language.morphology import Analysis, Sentence, Token, analyse

# Shorter readings collide with too many other words (血 ち, 手 て, 火 ひ).
_MIN_KANA_WORD = 3
# Bounds the search for a rule's mentions within its window on a pathological message.
_MAX_COMBINATIONS = 2_000


Mentions = dict[str, list[Mention]]
P = TypeVar("P", bound=Pattern)


def _accepts(c: Concept, token: Token) -> bool:
    if c.pos and token.pos not in c.pos:
        return False
    return not (c.main_only and token.auxiliary_use)


class ConceptIndex:
    def __init__(self, concepts: Iterable[Concept]) -> None:
        self._by_form: dict[str, list[Concept]] = defaultdict(list)
        # A kanji entry as it comes out typed in kana (止まる → とまる), with its part of speech.
        self._by_kana_word: dict[tuple[str, str], list[Concept]] = defaultdict(list)
        self._phrases: dict[str, list[tuple[tuple[str, ...], Concept]]] = defaultdict(list)
        self._spellings: dict[str, list[tuple[Concept, bool]]] = defaultdict(list)
        for c in {c.name: c for c in concepts}.values():
            self._add(c)
        self._lengths = sorted({len(spelling) for spelling in self._spellings}, reverse=True)

    def _add(self, c: Concept) -> None:
        for entry in c.words:
            tokens = [t for s in analyse(entry).sentences for t in s.tokens]
            if len(tokens) > 1:
                phrase = tuple(t.lemma for t in tokens)
                self._phrases[phrase[0]].append((phrase, c))
                continue
            self._by_form[entry.lower()].append(c)
            if tokens and not tokens[0].typed_in_kana and len(tokens[0].kana) >= _MIN_KANA_WORD:
                self._by_kana_word[(tokens[0].kana, tokens[0].pos)].append(c)
        for spelling in c.kana:
            self._spellings[spelling].append((c, True))
        for spelling in c.readings:
            self._spellings[spelling].append((c, False))

    def mentions(self, sentence: Sentence) -> Mentions:
        found: dict[str, dict[int, Mention]] = defaultdict(dict)
        tokens = sentence.tokens
        for index, token in enumerate(tokens):
            seen: set[str] = set()
            for form in token.forms:
                for c in self._by_form.get(form, ()):
                    if c.name not in seen and _accepts(c, token):
                        seen.add(c.name)
                        found[c.name][index] = Mention(index, token.negated, token.past)
                for phrase, c in self._phrases.get(form, ()):
                    if c.name not in seen and _phrase_at(phrase, tokens, index):
                        seen.add(c.name)
                        last = tokens[index + len(phrase) - 1]
                        found[c.name][index] = Mention(index, last.negated, last.past)
            if token.typed_in_kana:
                for c in self._by_kana_word.get((token.base, token.pos), ()):
                    if c.name not in seen and _accepts(c, token):
                        found[c.name][index] = Mention(index, token.negated, token.past)
        self._spelled(sentence, found)
        return {
            name: sorted(by_index.values(), key=lambda m: m.index)
            for name, by_index in found.items()
        }

    def _spelled(self, sentence: Sentence, found: dict[str, dict[int, Mention]]) -> None:
        tokens, kana = sentence.tokens, sentence.kana
        for start, first in sentence.starts.items():
            for length in self._lengths:
                spelling = kana[start : start + length]
                for c, typed_only in self._spellings.get(spelling, ()):
                    if first in found[c.name]:
                        continue
                    end = start + length
                    # A reading may end inside a word (しにたいしにたい is read in odd pieces);
                    # a spelling of words typed in kana must end where a word ends.
                    if typed_only and end not in sentence.ends:
                        continue
                    final = first
                    while final + 1 < len(tokens) and tokens[final + 1].offset < end:
                        final += 1
                    if typed_only and not all(t.typed_in_kana for t in tokens[first : final + 1]):
                        continue
                    found[c.name][first] = Mention(first, tokens[final].negated, tokens[final].past)


def _phrase_at(phrase: tuple[str, ...], tokens: tuple[Token, ...], start: int) -> bool:
    if start + len(phrase) > len(tokens):
        return False
    return all(lemma in tokens[start + offset].forms for offset, lemma in enumerate(phrase))


def _span_fits(rule: Pattern, mentions: Mentions) -> tuple[int, int] | None:
    options = []
    for term in rule.terms:
        accepted = [m.index for m in mentions.get(term.concept.name, ()) if term.accepts(m)]
        if not accepted:
            return None
        options.append(accepted)
    best: tuple[int, int] | None = None
    for combination in itertools.islice(itertools.product(*options), _MAX_COMBINATIONS):
        low, high = min(combination), max(combination)
        if high - low <= rule.window and (best is None or high - low < best[1] - best[0]):
            best = (low, high)
    return best


def _cancelled(rule: Pattern, mentions: Mentions, span: tuple[int, int]) -> bool:
    # Context reaches further than the danger itself: 「ニュースで…と聞いて、胸が痛みました」.
    reach = max(2 * rule.window, 12)
    low, high = span[0] - reach, span[1] + reach
    return any(
        low <= m.index <= high for blocker in rule.unless for m in mentions.get(blocker.name, ())
    )


def _content_words(sentence: Sentence) -> int:
    return sum(t.pos not in ("particle", "auxiliary", "other") for t in sentence.tokens)


def sentence_mentions(analysis: Analysis, index: ConceptIndex) -> list[Mentions]:
    """Each sentence's concept mentions, by concept name (what patterns and features both read)."""
    return [index.mentions(sentence) for sentence in analysis.sentences]


def matching(rules: Iterable[P], analysis: Analysis, per_sentence: list[Mentions]) -> list[P]:
    """The patterns that hold in some sentence of the message."""
    hits = []
    for rule in rules:
        for sentence, found in zip(analysis.sentences, per_sentence, strict=True):
            if rule.max_words is not None and _content_words(sentence) > rule.max_words:
                continue
            span = _span_fits(rule, found)
            if span is not None and not _cancelled(rule, found, span):
                hits.append(rule)
                break
    return hits
