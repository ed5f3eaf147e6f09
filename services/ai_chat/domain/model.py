"""The model as the dialogue needs it (a port): chat, moderation, triage, transcription.

`clients/model.py` implements it over the OpenAI API; the dialogue and the summary depend only on
this, so they are tested and read without a client. A call that does not answer usefully raises
`ModelUnavailable` and the caller chooses its fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from services.ai_chat.domain.safety import Moderation
from services.ai_chat.domain.safety.triage import Triage


class ModelUnavailable(Exception):
    """The model did not answer usefully (error, timeout, empty answer)."""


@dataclass(frozen=True)
class ChatAnswer:
    text: str
    input_tokens: int
    output_tokens: int

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class Transcript:
    text: str
    # Mean token probability when the model reports log probabilities, else None.
    confidence: float | None


class LanguageModel(Protocol):
    async def chat(
        self, messages: list[dict[str, str]], *, operation: str = "chat"
    ) -> ChatAnswer: ...

    async def moderate(self, text: str) -> Moderation: ...

    async def triage(self, text: str) -> Triage: ...

    async def transcribe(self, audio: bytes, *, content_type: str, filename: str) -> Transcript: ...
