"""The local layers together: rules and classifier on one analysis of the message.

A route is certain when a certain rule holds or the classifier's probability reaches the route's
`certain` threshold; it is uncertain (the grey band) when only an uncertain rule holds or the
probability lies between the two thresholds. Neither layer can take away what the other found.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.ai_chat.domain.safety.classifier import Classifier, default_classifier
from services.ai_chat.domain.safety.concepts import Rule
from services.ai_chat.domain.safety.features import features
from services.ai_chat.domain.safety.matcher import matching, sentence_mentions
from services.ai_chat.domain.safety.morphology import Analysis, analyse
from services.ai_chat.domain.safety.routes import Detection, Route, Tier, ordered
from services.ai_chat.domain.safety.rules import RULES


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


def classifier_detection(classifier: Classifier, probabilities: dict[Route, float]) -> Detection:
    certain, uncertain, reasons = set(), set(), []
    for route, probability in probabilities.items():
        threshold = classifier.thresholds[route]
        if probability >= threshold.certain:
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
        detection = detection.merged(classifier_detection(classifier, probabilities))
    return Assessment(rules=hits, probabilities=probabilities, detection=detection)


def detect_analysed(analysis: Analysis) -> Detection:
    return assess(analysis, default_classifier()).detection


def detect(text: str) -> Detection:
    """The safety routes the local layers find in a senior's message (empty when none)."""
    if not text.strip():
        return Detection()
    return detect_analysed(analyse(text))
