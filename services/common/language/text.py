"""Making Japanese text comparable before rules look at it.

Seniors type the same word many ways: full-width or half-width letters and digits (ＡＴＭ, ATM),
half-width katakana (ｷｬｯｼｭｶｰﾄﾞ), katakana or hiragana (ムネ, むね), spaces between words, and
punctuation anywhere. Rules match one canonical form: NFKC, lower case, katakana folded to
hiragana, whitespace and most punctuation removed (the prolonged sound mark ー stays, it is part
of words such as へるぷですく).
"""

from __future__ import annotations

import re
import unicodedata

_KATAKANA_START = ord("ァ")
_KATAKANA_END = ord("ヶ")
_HIRAGANA_OFFSET = ord("ァ") - ord("ぁ")
# Removed before matching: whitespace and punctuation that never changes meaning for our rules.
# "。" is kept as a sentence boundary so patterns with gaps do not reach across sentences.
_DROP = re.compile(r"[\s、,，・･「」『』（）()\[\]【】\"'“”‘’…‥~〜～*＊♪☆★♡♥]+")
_SENTENCE_END = re.compile(r"[!?！？\n]+")


def katakana_to_hiragana(text: str) -> str:
    return "".join(
        chr(ord(ch) - _HIRAGANA_OFFSET) if _KATAKANA_START <= ord(ch) <= _KATAKANA_END else ch
        for ch in text
    )


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    folded = _SENTENCE_END.sub("。", folded)
    folded = katakana_to_hiragana(folded)
    return _DROP.sub("", folded)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
