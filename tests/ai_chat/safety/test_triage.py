"""The model's triage answer is read without trusting it."""

from __future__ import annotations

import pytest

from services.ai_chat.domain.safety.triage import CERTAIN_CONFIDENCE, parse_triage
from services.common.safety import Route


def test_a_confident_route_is_certain_and_an_unsure_one_is_grey() -> None:
    sure = parse_triage({"routes": ["fraud"], "confidence": 0.95, "reason": "a pretext"})
    assert sure.detection().routes == (Route.FRAUD,)
    unsure = parse_triage(
        {"routes": ["emergency"], "confidence": CERTAIN_CONFIDENCE - 0.01, "reason": ""}
    )
    assert unsure.detection().routes == ()
    assert unsure.detection().uncertain == (Route.EMERGENCY,)


def test_unknown_routes_are_dropped_and_confidence_is_clipped() -> None:
    triage = parse_triage({"routes": ["fraud", "weather", 3], "confidence": 7, "reason": "x" * 999})
    assert triage.routes == (Route.FRAUD,)
    assert triage.confidence == 1.0
    assert len(triage.reason) == 200


@pytest.mark.parametrize(
    "answer",
    [
        [],
        {"routes": "fraud", "confidence": 1},
        {"routes": [], "confidence": "high"},
        {"routes": []},
    ],
)
def test_an_answer_that_is_not_a_triage_is_refused(answer: object) -> None:
    with pytest.raises(ValueError, match="triage answer"):
        parse_triage(answer)


def test_no_routes_is_no_detection() -> None:
    assert not parse_triage({"routes": [], "confidence": 0.9, "reason": ""}).detection().any_routes
