"""The check on what the model wrote, before a senior reads it.

LINE shows markdown as literal asterisks and hashes, so it is stripped. A phone number in the
model's words is never sent, not even a right one: the whole answer is replaced by a fixed text
that points to the help menu, whose numbers come from the templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.ai_chat.domain.safety import contains_phone_number
from services.ai_chat.domain.templates import NUMBER_GUARD_TEXT
from services.common.events.contracts.line import MAX_TEXT_LENGTH
from services.common.line_text import truncate_utf16

_FENCE = re.compile(r"^\s*```.*$", re.MULTILINE)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*+•・]|\d+[.)])\s+", re.MULTILINE)
_QUOTE = re.compile(r"^\s*>\s?", re.MULTILINE)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|~~|`)(?=\S)(.+?)(?<=\S)\1")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{2,}")
# Dai-chan answers in a few lines; a model that rambles is cut (at a line break where possible).
MAX_ANSWER_CHARS = 400


@dataclass(frozen=True)
class Guarded:
    text: str
    markdown_stripped: bool = False
    phone_number_replaced: bool = False


def strip_markdown(text: str) -> str:
    stripped = _FENCE.sub("", text)
    stripped = _RULE.sub("", stripped)
    stripped = _LINK.sub(r"\1", stripped)
    stripped = _HEADING.sub("", stripped)
    stripped = _QUOTE.sub("", stripped)
    stripped = _BULLET.sub("", stripped)
    previous = None
    while previous != stripped:
        previous = stripped
        stripped = _EMPHASIS.sub(r"\2", stripped)
    stripped = _BLANK_LINES.sub("\n", stripped)
    return "\n".join(line.rstrip() for line in stripped.strip().splitlines())


def _shorten(text: str) -> str:
    if len(text) <= MAX_ANSWER_CHARS:
        return text
    cut = text[:MAX_ANSWER_CHARS]
    boundary = max(cut.rfind("\n"), cut.rfind("。"))
    return cut[: boundary + 1].rstrip() if boundary > MAX_ANSWER_CHARS // 2 else cut


def guard_answer(text: str) -> Guarded:
    plain = strip_markdown(text)
    if contains_phone_number(plain):
        return Guarded(NUMBER_GUARD_TEXT, plain != text.strip(), phone_number_replaced=True)
    # LINE counts UTF-16 units: slicing code points could leave an emoji-rich answer too long.
    shortened = truncate_utf16(_shorten(plain), MAX_TEXT_LENGTH)
    return Guarded(shortened, markdown_stripped=plain != text.strip())
