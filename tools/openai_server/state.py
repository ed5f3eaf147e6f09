"""The test server's scripted behaviour and its record of requests, in memory.

Nothing here awaits, so each method runs to completion before another request is looked at:
a `failNext` count is consumed exactly once per request even under heavy concurrency.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from services.common.time import utcnow
from tools.openai_server.settings import OpenAIServerSettings


class Endpoint(StrEnum):
    CHAT_COMPLETIONS = "chat.completions"
    RESPONSES = "responses"
    MODERATIONS = "moderations"
    TRANSCRIPTIONS = "audio.transcriptions"
    # A chat completion asking for the `safety_triage` JSON schema (Dai-chan's safety triage).
    TRIAGE = "chat.completions.triage"


# The calls that stand for "the model thinks": the global delay and failNext apply to these
# unless failEndpoints says otherwise, so a test of a slow or failing model does not also
# break the moderation or transcription step in front of it.
GENERATION = frozenset({Endpoint.CHAT_COMPLETIONS, Endpoint.RESPONSES})
# The triage is thinking too, so it is as slow as the model; it fails only when asked to.
DELAYED = GENERATION | {Endpoint.TRIAGE}


@dataclass
class Control:
    transcript: str
    delay_seconds: float = 0.0
    fail_next: int = 0
    fail_status: int = 500
    fail_endpoints: frozenset[Endpoint] = GENERATION
    replies: dict[str, str] = field(default_factory=dict)
    # Substring -> moderation categories flagged for any input containing it (added to the
    # built-in self-harm phrases), so a test can make moderation catch what rules do not.
    moderation_flags: dict[str, list[str]] = field(default_factory=dict)
    # Mean token probability reported with `include=["logprobs"]` (default: a clear recording).
    transcript_confidence: float = 0.98
    # Substring -> the safety triage's answer for any message containing it (longest key wins);
    # other messages get no routes.
    triage: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "delaySeconds": self.delay_seconds,
            "failNext": self.fail_next,
            "failStatus": self.fail_status,
            "failEndpoints": sorted(endpoint.value for endpoint in self.fail_endpoints),
            "replies": dict(self.replies),
            "transcript": self.transcript,
            "moderationFlags": {key: list(value) for key, value in self.moderation_flags.items()},
            "transcriptConfidence": self.transcript_confidence,
            "triage": {key: dict(value) for key, value in self.triage.items()},
        }


class ServerState:
    def __init__(self, settings: OpenAIServerSettings) -> None:
        self._settings = settings
        self.reset()

    def reset(self) -> None:
        self.control = Control(transcript=self._settings.default_transcript)
        self._requests: deque[dict[str, Any]] = deque(maxlen=self._settings.max_recorded_requests)

    def update(
        self,
        *,
        delay_seconds: float | None = None,
        fail_next: int | None = None,
        fail_status: int | None = None,
        fail_endpoints: list[Endpoint] | None = None,
        replies: dict[str, str] | None = None,
        transcript: str | None = None,
        moderation_flags: dict[str, list[str]] | None = None,
        transcript_confidence: float | None = None,
        triage: dict[str, dict[str, Any]] | None = None,
    ) -> Control:
        """Merge the given settings into the current ones; replies are added to, not replaced."""
        control = self.control
        if delay_seconds is not None:
            control.delay_seconds = delay_seconds
        if fail_next is not None:
            control.fail_next = fail_next
        if fail_status is not None:
            control.fail_status = fail_status
        if fail_endpoints is not None:
            control.fail_endpoints = frozenset(fail_endpoints)
        if replies is not None:
            control.replies.update(replies)
        if transcript is not None:
            control.transcript = transcript
        if moderation_flags is not None:
            control.moderation_flags.update(moderation_flags)
        if transcript_confidence is not None:
            control.transcript_confidence = transcript_confidence
        if triage is not None:
            control.triage.update(triage)
        return control

    def take_failure(self, endpoint: Endpoint) -> int | None:
        control = self.control
        if control.fail_next > 0 and endpoint in control.fail_endpoints:
            control.fail_next -= 1
            return control.fail_status
        return None

    def delay_for(self, endpoint: Endpoint) -> float:
        return self.control.delay_seconds if endpoint in DELAYED else 0.0

    def record(self, endpoint: Endpoint, details: dict[str, Any]) -> dict[str, Any]:
        """Log a request on arrival; the caller fills in `status` when it answers."""
        entry: dict[str, Any] = {
            "endpoint": endpoint.value,
            "at": utcnow().isoformat(),
            "status": None,
            **details,
        }
        self._requests.append(entry)
        return entry

    def requests(self) -> list[dict[str, Any]]:
        return list(self._requests)
