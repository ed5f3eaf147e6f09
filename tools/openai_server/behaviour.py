"""What the test server says: deterministic replies, rough token counts, keyword moderation.

Everything here is a pure function of the request and the scripted control settings, so a test
can predict every answer without a model.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

# "[[delay=3.5]]" slows and "[[fail=500]]" fails the one request whose last user message has it.
_MARKER = re.compile(r"\[\[(delay|fail)=([0-9]+(?:\.[0-9]+)?)\]\]")
_EXCERPT_LENGTH = 20

DEFAULT_GREETING = "テスト用の大ちゃんやで。なんでも話しかけてな。"

MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
SELF_HARM_CATEGORIES = ("self-harm", "self-harm/intent")
# Enough to exercise the platform's safety path; a real moderation model catches far more.
SELF_HARM_PHRASES = (
    "死にたい",
    "しにたい",
    "消えたい",
    "きえたい",
    "死のう",
    "自殺",
    "生きていたくない",
    "生きるのがつらい",
    "いなくなりたい",
    "kill myself",
    "suicide",
)


@dataclass(frozen=True)
class Markers:
    delay_seconds: float | None = None
    fail_status: int | None = None


def read_markers(text: str | None) -> Markers:
    delay: float | None = None
    fail: int | None = None
    for name, value in _MARKER.findall(text or ""):
        if name == "delay":
            delay = float(value)
        else:
            fail = int(float(value))
    return Markers(delay_seconds=delay, fail_status=fail)


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or a list of typed parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") in ("text", "input_text", "output_text")
        )
    return ""


def chat_texts(messages: list[Any]) -> list[tuple[str, str]]:
    """(role, text) of every chat message, in order."""
    return [
        (str(message.get("role", "")), content_text(message.get("content")))
        for message in messages
        if isinstance(message, dict)
    ]


def response_texts(response_input: Any, instructions: Any) -> list[tuple[str, str]]:
    """(role, text) of a Responses API input: a string, or a list of input items."""
    texts: list[tuple[str, str]] = []
    if isinstance(instructions, str) and instructions:
        texts.append(("developer", instructions))
    if isinstance(response_input, str):
        texts.append(("user", response_input))
    elif isinstance(response_input, list):
        texts += [
            (str(item.get("role", "")), content_text(item.get("content")))
            for item in response_input
            if isinstance(item, dict) and item.get("type", "message") == "message"
        ]
    return texts


def last_user_text(texts: list[tuple[str, str]]) -> str | None:
    for role, text in reversed(texts):
        if role == "user":
            return text
    return None


def estimate_tokens(text: str) -> int:
    # About four ASCII characters per token, about one token per Japanese character.
    ascii_chars = sum(1 for character in text if character.isascii())
    return math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)


def prompt_tokens(texts: list[tuple[str, str]]) -> int:
    # A few tokens of framing per message, as the real tokenizer adds.
    return sum(estimate_tokens(text) + 3 for _, text in texts)


def daichan_reply(user_text: str | None, replies: dict[str, str]) -> str:
    """A scripted reply when a key occurs in the message (longest key wins), else the default."""
    cleaned = " ".join(strip_markers(user_text or "").split())
    matches = [key for key in replies if key and key in cleaned]
    if matches:
        return replies[max(matches, key=len)]
    if not cleaned:
        return DEFAULT_GREETING
    excerpt = cleaned if len(cleaned) <= _EXCERPT_LENGTH else cleaned[:_EXCERPT_LENGTH] + "…"
    return f"テスト用の大ちゃんやで。「{excerpt}」のこと、もっと聞かせてな。"


TRIAGE_SCHEMA_NAME = "safety_triage"
NO_TRIAGE_ROUTES: dict[str, Any] = {
    "routes": [],
    "confidence": 0.9,
    "reason": "The test server found nothing scripted for this message.",
}


def asks_for_triage(body: dict[str, Any]) -> bool:
    """A chat completion whose response_format is the safety triage's JSON schema."""
    response_format = body.get("response_format")
    if not isinstance(response_format, dict) or response_format.get("type") != "json_schema":
        return False
    schema = response_format.get("json_schema")
    return isinstance(schema, dict) and schema.get("name") == TRIAGE_SCHEMA_NAME


def triage_answer(user_text: str | None, scripted: dict[str, dict[str, Any]]) -> dict[str, Any]:
    cleaned = " ".join(strip_markers(user_text or "").split())
    matches = [key for key in scripted if key and key in cleaned]
    return dict(scripted[max(matches, key=len)]) if matches else dict(NO_TRIAGE_ROUTES)


def transcript_logprobs(text: str, confidence: float) -> list[dict[str, Any]]:
    """One "token" per character, each with log probability ln(confidence)."""
    logprob = math.log(confidence)
    return [
        {"token": character, "logprob": logprob, "bytes": list(character.encode())}
        for character in text
    ]


def moderation_inputs(value: Any) -> list[str]:
    """One text per result, as OpenAI returns them: per string, or one for a multimodal list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    if isinstance(value, list):
        return [content_text(value)]
    return []


def moderate(text: str, flags: dict[str, list[str]] | None = None) -> dict[str, Any]:
    lowered = text.lower()
    flagged: set[str] = set()
    if any(phrase in lowered for phrase in SELF_HARM_PHRASES):
        flagged.update(SELF_HARM_CATEGORIES)
    for substring, names in (flags or {}).items():
        if substring and substring.lower() in lowered:
            flagged.update(name for name in names if name in MODERATION_CATEGORIES)
    categories = {name: name in flagged for name in MODERATION_CATEGORIES}
    scores = {
        name: (0.93 if name == "self-harm" else 0.88) if categories[name] else 0.0001
        for name in MODERATION_CATEGORIES
    }
    return {
        "flagged": bool(flagged),
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": {name: ["text"] for name in MODERATION_CATEGORIES},
    }
