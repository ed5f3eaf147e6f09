"""The model's opinion on the safety routes: a structured answer that can only add a route.

The triage call runs beside Dai-chan's reply when a model is configured (never before a fixed
safety message, which the local layers send at once). What it says is parsed here, without
trusting it: unknown routes are dropped, a confidence outside 0..1 is clipped, and a confident
route becomes certain while an unsure one joins the grey band.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from services.common.safety.routes import ROUTE_ORDER, Detection, Route, ordered

PROMPT_VERSION = "safety_triage.v1"
SCHEMA_NAME = "safety_triage"
JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "routes": {
            "type": "array",
            "items": {"type": "string", "enum": [r.value for r in ROUTE_ORDER]},
        },
        "confidence": {"type": "number"},
        "reason": {"type": "string"},
    },
    "required": ["routes", "confidence", "reason"],
    "additionalProperties": False,
}
# At or above this confidence a route the model names is certain; below it, uncertain.
CERTAIN_CONFIDENCE = 0.8
MAX_REASON = 200


def load_prompt(version: str = PROMPT_VERSION) -> str:
    return resources.files("services.ai_chat.prompts").joinpath(f"{version}.md").read_text("utf-8")


@dataclass(frozen=True)
class Triage:
    routes: tuple[Route, ...]
    confidence: float
    reason: str

    def detection(self) -> Detection:
        if not self.routes:
            return Detection()
        reasons = tuple(f"triage:{r.value}={self.confidence:.2f}" for r in self.routes)
        if self.confidence >= CERTAIN_CONFIDENCE:
            return Detection(routes=self.routes, reasons=reasons)
        return Detection(uncertain=self.routes, reasons=reasons)


def parse_triage(answer: Any) -> Triage:
    """The model's JSON answer as a Triage; raises ValueError when it is not one."""
    if not isinstance(answer, dict):
        raise ValueError("the triage answer is not a JSON object")
    raw_routes = answer.get("routes")
    if not isinstance(raw_routes, list):
        raise ValueError("the triage answer has no list of routes")
    known = {r.value: r for r in ROUTE_ORDER}
    routes = ordered({known[r] for r in raw_routes if isinstance(r, str) and r in known})
    confidence = answer.get("confidence")
    if not isinstance(confidence, int | float) or isinstance(confidence, bool):
        raise ValueError("the triage answer has no numeric confidence")
    reason = answer.get("reason")
    return Triage(
        routes=routes,
        confidence=min(1.0, max(0.0, float(confidence))),
        reason=str(reason)[:MAX_REASON] if isinstance(reason, str) else "",
    )


def triage_messages(text: str, prompt: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": prompt}, {"role": "user", "content": text}]
