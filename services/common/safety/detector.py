"""The local layers together: rules and classifier on one analysis of the message.

A route is certain when a certain rule holds or the classifier's probability reaches the route's
`certain` threshold; it is uncertain (the grey band) when only an uncertain rule holds or the
probability lies between the two thresholds. Neither layer can take away what the other found.

On a short message the classifier has too little to go on to be trusted alone: on the dev split,
its certain calls that no rule made were right 9 times in 11 for messages of at most two words,
21 in 22 for three or four, 221 in 224 for longer ones. So on a message of fewer than
`CLASSIFIER_CERTAIN_MIN_WORDS` content words it can only raise the grey band (the check asks the
senior, and a person reviews); the rules stay certain at any length.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.language.morphology import Analysis, analyse
from services.common.safety.classifier import Classifier, default_classifier
from services.common.safety.concepts import Rule
from services.common.safety.features import features
from services.common.safety.matcher import matching, sentence_mentions
from services.common.safety.routes import Detection, Route, Tier, ordered
from services.common.safety.rules import RULES


@dataclass(frozen=True)
class Assessment:
    rules: list[Rule]
    probabilities: dict[Route, float]
    detection: Detection


def rule_detection(hits: list[Rule]) -> Detection:
    certain = {rule.route for rule in hits if rule.tier is Tier.CERTAIN}
    uncertain = {rule.route for rule in hits if rule.tier is Tier.UNCERTAIN} - certain
    return Detection(
        routes=ordered(certain),
        uncertain=ordered(uncertain),
        reasons=tuple(f"rule:{rule.name}" for rule in hits),
        consumer_fraud=any(rule.consumer for rule in hits),
    )


CLASSIFIER_CERTAIN_MIN_WORDS = 5
_CONTENT = frozenset({"noun", "verb", "adjective", "adjectival_noun", "adverb"})


def content_words(analysis: Analysis) -> int:
    return sum(t.pos in _CONTENT for s in analysis.sentences for t in s.tokens)


def classifier_detection(
    classifier: Classifier, probabilities: dict[Route, float], *, words: int
) -> Detection:
    certain, uncertain, reasons = set(), set(), []
    trusted_alone = words >= CLASSIFIER_CERTAIN_MIN_WORDS
    for route, probability in probabilities.items():
        threshold = classifier.thresholds[route]
        if probability >= threshold.certain and trusted_alone:
            certain.add(route)
        elif probability >= threshold.uncertain:
            uncertain.add(route)
        else:
            continue
        reasons.append(f"classifier:{route.value}={probability:.2f}")
    return Detection(routes=ordered(certain), uncertain=ordered(uncertain), reasons=tuple(reasons))


def assess(analysis: Analysis, classifier: Classifier | None) -> Assessment:
    mentions = sentence_mentions(analysis)
    hits = matching(RULES, analysis, mentions)
    detection = rule_detection(hits)
    probabilities: dict[Route, float] = {}
    if classifier is not None and analysis.sentences:
        probabilities = classifier.probabilities(features(analysis, hits, mentions))
        detection = detection.merged(
            classifier_detection(classifier, probabilities, words=content_words(analysis))
        )
    return Assessment(rules=hits, probabilities=probabilities, detection=detection)


def detect_analysed(analysis: Analysis) -> Detection:
    """The safety routes the local layers find in an analysed message (empty when none)."""
    if not analysis.text.strip():
        return Detection()
    return assess(analysis, default_classifier()).detection


def detect(text: str) -> Detection:
    """The safety routes the local layers find in a senior's message (empty when none)."""
    return detect_analysed(analyse(text))
