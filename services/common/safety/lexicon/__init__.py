"""The concepts the safety rules are made of: words by meaning, one entry per lemma.

Words are Sudachi lemmas (normalised forms), so 痺れる stands for しびれた, 痺れて, シビレる;
kana spellings (`kana=`) are only for what the analyser splits wrongly when typed in hiragana,
matched at word boundaries on the reading. A reviewer adds a word here, not a pattern.

One module per kind of danger; `MODULES` is every module, for the matcher's index.
"""

from __future__ import annotations

from types import ModuleType

from services.common.safety.lexicon import (
    body,
    despair,
    framing,
    human,
    scams,
    surroundings,
)

MODULES: tuple[ModuleType, ...] = (body, surroundings, framing, despair, scams, human)
