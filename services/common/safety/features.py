"""What the safety classifier sees of a message: `services.common.language.features` over the safety
lexicon and rules (the feature groups are described there)."""

from __future__ import annotations

from services.common.language import features as language
from services.common.language.matcher import Mentions
from services.common.language.morphology import Analysis
from services.common.safety.concepts import Rule
from services.common.safety.matcher import ALL_CONCEPTS


def features(analysis: Analysis, rules: list[Rule], mentions: list[Mentions]) -> list[str]:
    return language.features(analysis, (rule.name for rule in rules), mentions, ALL_CONCEPTS)
