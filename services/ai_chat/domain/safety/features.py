"""What the safety classifier sees of a message: `domain.language.features` over the safety
lexicon and rules (the feature groups are described there)."""

from __future__ import annotations

from services.ai_chat.domain.language import features as language
from services.ai_chat.domain.language.matcher import Mentions
from services.ai_chat.domain.language.morphology import Analysis
from services.ai_chat.domain.safety.concepts import Rule
from services.ai_chat.domain.safety.matcher import ALL_CONCEPTS


def features(analysis: Analysis, rules: list[Rule], mentions: list[Mentions]) -> list[str]:
    return language.features(analysis, (rule.name for rule in rules), mentions, ALL_CONCEPTS)
