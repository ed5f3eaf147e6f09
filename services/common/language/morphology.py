"""Japanese text as words: lemmas, readings and negation, from SudachiPy's morphological analysis.

Why SudachiPy (with `sudachidict_core`, the dictionary inside the wheel): its *normalised form*
folds spelling variants into one lemma (しびれる → 痺れる, くるしい → 苦しい, にんげん → 人間), so a
concept lists a word once instead of every kana and kanji spelling; it knows Kansai auxiliaries
(立たれへん is 立つ + れる + へん, 助動詞-ヘン) so negation and "cannot" are found the same way in
every dialect; its readings give a kana form of every word for text typed in hiragana; and it runs
in Rust, tens of microseconds per message. fugashi with unidic-lite has lemmas and readings too,
but no normalised form and a smaller dictionary for Kansai forms.

Hiragana-only text is where any analyser guesses: 「むねがいたい」 comes out as 胸 + が + 居る +
たい. So every sentence also keeps its reading as one kana string, with the offsets where words
start; concepts may list kana spellings that are matched on that string at word boundaries, which
recovers what the segmentation split wrongly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sudachipy import Dictionary, SplitMode

from services.common.language.text import katakana_to_hiragana

# A LINE text message is at most 5,000 characters: all of it is read (the danger in a rambling
# message is as likely at the end as anywhere); anything longer is cut there.
MAX_CHARACTERS = 5_000
# A sentence ends at these; a voice transcript without punctuation is one long sentence, which the
# rules bound with a word window instead.
_SENTENCE_END = re.compile(r"[。．.!?！？\n]+")
_SPACES = re.compile(r"[\s　]+")
# Auxiliaries and adjectives that negate the predicate before them: ない (痛くない, 来ない), ぬ/ん
# (来ん, ません), ず, Kansai へん/ひん (立たれへん, 来ぇへん).
_NEGATORS = frozenset({"ない", "無い", "ぬ", "ず", "へん", "ひん", "ん"})
# What may sit between a predicate and its negation: auxiliaries (られ, たく, ませ), and the
# particles of 痛くはない / 痛くもない / 来なければ.
_BETWEEN_PREDICATE_AND_NEGATION = frozenset({"auxiliary", "suffix"})
_PARTICLES_BEFORE_NEGATION = frozenset({"は", "も", "や"})
_POS = {
    "名詞": "noun",
    "代名詞": "noun",
    "動詞": "verb",
    "形容詞": "adjective",
    "形状詞": "adjectival_noun",
    "副詞": "adverb",
    "助動詞": "auxiliary",
    "助詞": "particle",
    "接尾辞": "suffix",
    "接頭辞": "prefix",
    "感動詞": "interjection",
    "連体詞": "adnominal",
    "接続詞": "conjunction",
}
PREDICATES = frozenset({"verb", "adjective", "adjectival_noun", "auxiliary"})


@dataclass(frozen=True, slots=True)
class Token:
    surface: str
    # Sudachi's normalised form: one lemma for every spelling (痺れる for しびれた, 痺れて).
    lemma: str
    # The dictionary form as written (しびれる): some words are listed by it.
    base: str
    kana: str
    pos: str
    # The sub-words of a compound (左腕 → 左, 腕), so a concept can name the part.
    parts: tuple[str, ...]
    negated: bool
    # Where this word starts in its sentence's kana string.
    offset: int
    # Kana spellings of concepts are matched only over words typed in kana (かじ is not 家事).
    typed_in_kana: bool
    # A predicate in the past (頼んだ, もらいました): a report, not a request.
    past: bool
    # A verb used as an auxiliary after て (おろしてきた, 食べてしまう): not the verb itself.
    auxiliary_use: bool

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.lemma, self.base, self.surface, *self.parts)


@dataclass(frozen=True, slots=True)
class Sentence:
    tokens: tuple[Token, ...]
    kana: str
    # kana offset → index of the word that starts there
    starts: dict[int, int]
    ends: frozenset[int]

    def token_at(self, kana_offset: int) -> int | None:
        return self.starts.get(kana_offset)


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    sentences: tuple[Sentence, ...]

    def lemmas(self) -> list[str]:
        return [t.lemma for s in self.sentences for t in s.tokens]


def prepare(text: str) -> str:
    """NFKC (full-width letters, half-width kana), spaces collapsed, length bounded."""
    folded = unicodedata.normalize("NFKC", text[: MAX_CHARACTERS * 2])
    return _SPACES.sub(" ", folded).strip()[:MAX_CHARACTERS]


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    return Dictionary(dict="core").tokenizer(SplitMode.C)


def _pos(morpheme: Any) -> str:
    return _POS.get(morpheme.part_of_speech()[0], "other")


def _is_katakana_word(surface: str) -> bool:
    return bool(surface) and all("ァ" <= ch <= "ヺ" or ch == "ー" for ch in surface)


def _morphemes(sentence: str) -> list[Any]:
    """Sudachi's words; an unknown all-katakana run (ムネガイタイ) is read again in hiragana."""
    tokenizer = _tokenizer()
    result: list[Any] = []
    for morpheme in tokenizer.tokenize(sentence):
        surface = morpheme.surface()
        if morpheme.is_oov() and _is_katakana_word(surface) and len(surface) > 3:
            result.extend(tokenizer.tokenize(katakana_to_hiragana(surface)))
        else:
            result.append(morpheme)
    return result


def _negated(pos: list[str], lemmas: list[str], index: int) -> bool:
    if pos[index] not in PREDICATES or lemmas[index] in _NEGATORS:
        return False
    for following in range(index + 1, min(index + 5, len(pos))):
        if lemmas[following] in _NEGATORS:
            return True
        if pos[following] in _BETWEEN_PREDICATE_AND_NEGATION:
            continue
        if pos[following] == "particle" and lemmas[following] in _PARTICLES_BEFORE_NEGATION:
            continue
        return False
    return False


_PAST = frozenset({"た", "だ"})
_AUXILIARY_VERBS = frozenset(
    {
        "来る",
        "居る",
        "行く",
        "仕舞う",
        "置く",
        "見る",
        "上げる",
        "貰う",
        "呉れる",
        "くる",
        "いる",
        "いく",
        "しまう",
        "おく",
        "みる",
        "あげる",
        "もらう",
        "くれる",
    }
)


def _past(pos: list[str], lemmas: list[str], index: int) -> bool:
    if pos[index] not in PREDICATES:
        return False
    for following in range(index + 1, min(index + 4, len(pos))):
        if lemmas[following] in _PAST and pos[following] == "auxiliary":
            return True
        if pos[following] not in _BETWEEN_PREDICATE_AND_NEGATION:
            return False
    return False


def _is_kana(surface: str) -> bool:
    return all("ぁ" <= ch <= "ゟ" or "ァ" <= ch <= "ヿ" or ch in "ーっッ" for ch in surface)


# What says a noun is absent or not done: 返事せえへん, 意識がない, 反応がありません, 息をしていない.
_NOUN_NEGATORS = frozenset({"為る", "無い", "ない", "有る", "居る"})
_PARTICLES_AFTER_NOUN = frozenset({"が", "は", "も", "を"})


def _negated_nouns(pos: list[str], lemmas: list[str], negated: list[bool]) -> list[bool]:
    """A noun takes the negation of the する / ない / ある after it (返事せえへん, 意識がない)."""
    result = list(negated)
    for index, part in enumerate(pos):
        if part != "noun":
            continue
        following = index + 1
        if following < len(pos) and lemmas[following] in _PARTICLES_AFTER_NOUN:
            following += 1
        if following >= len(pos):
            continue
        lemma = lemmas[following]
        if (
            (lemma in ("無い", "ない") and pos[following] == "adjective")
            or (lemma in _NOUN_NEGATORS and negated[following])
            or (
                # 息をしていない: the negation sits on the いる after して.
                lemma == "為る"
                and following + 2 < len(pos)
                and lemmas[following + 1] == "て"
                and negated[following + 2]
            )
        ):
            result[index] = True
    return result


def _sentence(text: str) -> Sentence | None:
    morphemes = [m for m in _morphemes(text) if _pos(m) != "other" or m.surface().strip()]
    if not morphemes:
        return None
    pos = [_pos(m) for m in morphemes]
    # Lower case after analysis (Sudachi knows ATM, not atm); concepts are written in lower case.
    lemmas = [m.normalized_form().lower() for m in morphemes]
    negated = _negated_nouns(pos, lemmas, [_negated(pos, lemmas, i) for i in range(len(pos))])
    tokens: list[Token] = []
    starts: dict[int, int] = {}
    ends: set[int] = set()
    offset = 0
    for index, morpheme in enumerate(morphemes):
        surface = morpheme.surface()
        reading = morpheme.reading_form()
        # Sudachi reads symbols and unknown words as キゴウ or empty; keep what was typed.
        kana = katakana_to_hiragana(reading if reading and reading != "キゴウ" else surface)
        parts = morpheme.split(SplitMode.A)
        tokens.append(
            Token(
                surface=surface.lower(),
                lemma=lemmas[index],
                base=morpheme.dictionary_form().lower(),
                kana=kana,
                pos=pos[index],
                parts=tuple(p.normalized_form().lower() for p in parts) if len(parts) > 1 else (),
                negated=negated[index],
                offset=offset,
                typed_in_kana=_is_kana(surface),
                past=_past(pos, lemmas, index),
                auxiliary_use=(
                    index > 0
                    and pos[index] == "verb"
                    and lemmas[index] in _AUXILIARY_VERBS
                    and lemmas[index - 1] in ("て", "で")
                ),
            )
        )
        starts[offset] = index
        offset += len(kana)
        ends.add(offset)
    return Sentence(
        tokens=tuple(tokens),
        kana="".join(t.kana for t in tokens),
        starts=starts,
        ends=frozenset(ends),
    )


def analyse(text: str) -> Analysis:
    prepared = prepare(text)
    sentences = []
    for piece in _SENTENCE_END.split(prepared):
        if piece.strip() and (sentence := _sentence(piece.strip())) is not None:
            sentences.append(sentence)
    return Analysis(text=prepared, sentences=tuple(sentences))
