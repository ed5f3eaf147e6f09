"""What a trained classifier sees of a message: words, sounds and concepts, as hashed features.

The same function serves training and use, so the two can never drift apart. Feature groups,
each prefixed so they cannot collide:

- `w:` lemmas (negated ones marked `¬`), and `b:` pairs of neighbouring content lemmas: what was
  said, whatever the conjugation or spelling;
- `k:` character 2- and 3-grams of the reading: what it sounds like, so hiragana, katakana and
  kanji spellings of a word look alike, and a mis-segmented hiragana message still shares most
  of its features with the kanji one;
- `c:` the lexicon's concepts mentioned (marked `:not` when negated, `:past` in the past), and
  `p:` pairs of concepts mentioned in one sentence: the reviewed vocabulary, combined the way the
  rules combine it, so the classifier can learn conjunctions no rule spells out; `r:` the rules
  (patterns) that held, which it learns how far to trust.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from sklearn.feature_extraction.text import HashingVectorizer

from services.common.language.concepts import Concept
from services.common.language.matcher import Mentions
from services.common.language.morphology import Analysis

N_FEATURES = 2**20
_CONTENT = frozenset({"noun", "verb", "adjective", "adjectival_noun", "adverb", "interjection"})


def features(
    analysis: Analysis,
    held: Iterable[str],
    mentions: list[Mentions],
    concepts: Sequence[Concept],
) -> list[str]:
    """`held`: the names of the patterns that held; `concepts`: the lexicon, in a fixed order."""
    found: list[str] = []
    for sentence in analysis.sentences:
        content = []
        for token in sentence.tokens:
            if token.pos == "other" and not token.lemma.strip():
                continue
            lemma = token.lemma + ("¬" if token.negated else "")
            found.append(f"w:{lemma}")
            if token.pos in _CONTENT:
                content.append(lemma)
        found.extend(f"b:{a}|{b}" for a, b in itertools.pairwise(content))
        kana = sentence.kana
        for size in (2, 3):
            found.extend(f"k:{kana[i : i + size]}" for i in range(len(kana) - size + 1))
    for found_in_sentence in mentions:
        names = []
        for concept in concepts:
            mentioned = found_in_sentence.get(concept.name)
            if not mentioned:
                continue
            name = concept.name
            if all(m.negated for m in mentioned):
                name += ":not"
            elif all(m.past for m in mentioned):
                name += ":past"
            names.append(name)
        found.extend(f"c:{name}" for name in names)
        found.extend(f"p:{a}&{b}" for i, a in enumerate(names) for b in names[i + 1 :])
    found.extend(f"r:{name}" for name in held)
    return found


def _identity(items: list[str]) -> list[str]:
    return items


@lru_cache(maxsize=1)
def vectorizer() -> Any:
    # Stateless: the hashing is fixed by its parameters, so nothing but the weights is stored.
    return HashingVectorizer(
        analyzer=_identity, n_features=N_FEATURES, alternate_sign=False, norm="l2", binary=True
    )
