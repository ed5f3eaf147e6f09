"""What the model's moderation said about a message (only what routing uses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.common.safety.routes import Detection, Route


@dataclass(frozen=True)
class Moderation:
    flagged: bool
    self_harm: bool
    categories: tuple[str, ...] = field(default_factory=tuple)

    def detection(self) -> Detection:
        if not self.self_harm:
            return Detection()
        return Detection(routes=(Route.SELF_HARM,), reasons=("moderation:self-harm",))
