"""What the sender wrote now, apart from the earlier mail they quoted or forwarded.

Replies carry the whole thread below (or above) the new text. Staff need the new text first and
the rest one click away, so the body is split into `text` and `quoted`:

- everything from a reply or forward header on: 「-----Original Message-----」, 「-----元のメッセージ-----」,
  Gmail's 「---------- Forwarded message ---------」, iPhone's 「転送されたメッセージ:」/
  "Begin forwarded message:", "On … wrote:" (also split over two lines),
  「…さんは書きました：」, Gmail's Japanese 「2026年12月1日(火) 10:00 田中 <…>:」, the iPhone's
  「2026/12/01 10:00、田中 <…>のメール:」, and Outlook's 「差出人: / 送信日時: / 件名:」 block;
- a block of 「>」 lines that ends the mail, or opens it before the new text, with the line
  that introduces it; quotes between paragraphs of new text stay (an answer written between
  the lines needs its question).

A bare "… wrote:" is folded only when quoted lines follow it, so a sentence of the sender's that
happens to end that way stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FORWARD_RULE = re.compile(
    r"^[-=_\s]{2,}\s*(?:forwarded message|転送メッセージ|転送されたメッセージ|転送済みメッセージ)"
    r"\s*[-=_\s]{2,}$",
    re.IGNORECASE,
)
_ORIGINAL_RULE = re.compile(
    r"^[-=_\s]{2,}\s*(?:original message|元のメッセージ|オリジナル\s*メッセージ|返信元メッセージ)"
    r"\s*[-=_\s]{2,}$",
    re.IGNORECASE,
)
_FORWARD_INTRO = re.compile(
    r"^(?:begin forwarded message|転送されたメッセージ|転送メッセージ)\s*[:：]$", re.IGNORECASE
)
_ON_WROTE = re.compile(r"^on\b.{0,300}\bwrote\s*[:：]$", re.IGNORECASE)
_JA_WROTE = re.compile(r"^.{0,200}(?:さん)?(?:は|が)書きました\s*[:：]?$")
_GMAIL_JA = re.compile(r"^\d{4}年\s*\d{1,2}月\s*\d{1,2}日.{0,120}@.{0,120}[:：]$")
_IPHONE_JA = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}.{0,160}(?:のメール|のメッセージ)\s*[:：]$")
_WROTE = re.compile(r"^.{0,300}\bwrote\s*[:：]$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^[_\-=]{10,}$")
_OUTLOOK_FROM = re.compile(r"^\*?(?:from|差出人|送信者)\s*\*?\s*[:：]", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\*?(?:sent|date|送信日時|送信日|日付)\s*\*?\s*[:：]", re.IGNORECASE)
_OUTLOOK_SUBJECT = re.compile(r"^\*?(?:subject|件名)\s*\*?\s*[:：]", re.IGNORECASE)
_QUOTE = re.compile(r"^\s*[>＞]")


@dataclass(frozen=True)
class SplitText:
    text: str
    quoted: str
    forwarded: bool


def _is_quote(line: str) -> bool:
    return bool(_QUOTE.match(line))


def _next_content(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index
    return None


def _quote_follows(lines: list[str], start: int) -> bool:
    following = _next_content(lines, start)
    return following is not None and _is_quote(lines[following])


def _outlook_block(lines: list[str], index: int) -> bool:
    if not _OUTLOOK_FROM.match(lines[index].strip()):
        return False
    window = [line.strip() for line in lines[index + 1 : index + 6]]
    return any(_OUTLOOK_SENT.match(line) for line in window) and any(
        _OUTLOOK_SUBJECT.match(line) for line in window
    )


def _attribution(lines: list[str], index: int) -> bool:
    """A line (or two, for a wrapped "On … wrote:") introducing quoted text."""
    line = lines[index].strip()
    if _GMAIL_JA.match(line) or _IPHONE_JA.match(line) or _JA_WROTE.match(line):
        return True
    if _ON_WROTE.match(line):
        return True
    if line.lower().startswith("on ") and index + 1 < len(lines):
        joined = f"{line} {lines[index + 1].strip()}"
        if _ON_WROTE.match(joined):
            return True
    return bool(_WROTE.match(line)) and _quote_follows(lines, index + 1)


def _header_cut(lines: list[str]) -> tuple[int, bool] | None:
    """Where a reply or forward header starts, and whether it forwards."""
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line or _is_quote(raw):
            continue
        if _FORWARD_RULE.match(line) or _FORWARD_INTRO.match(line):
            return index, True
        if _ORIGINAL_RULE.match(line) or _outlook_block(lines, index) or _attribution(lines, index):
            if index > 0 and _SEPARATOR.match(lines[index - 1].strip()):
                return index - 1, False
            return index, False
    return None


def _trailing_quote(lines: list[str]) -> int:
    """The first line of a quote block that ends the text (len(lines) when there is none)."""
    start = len(lines)
    seen_quote = False
    for index in range(len(lines) - 1, -1, -1):
        if _is_quote(lines[index]):
            seen_quote = True
            start = index
        elif lines[index].strip():
            break
    if not seen_quote:
        return len(lines)
    before = start - 1
    while before >= 0 and not lines[before].strip():
        before -= 1
    if before >= 0 and _is_intro(lines[before]):
        return before
    return start


def _is_intro(line: str) -> bool:
    stripped = line.strip()
    return bool(
        _WROTE.match(stripped)
        or _JA_WROTE.match(stripped)
        or _GMAIL_JA.match(stripped)
        or _IPHONE_JA.match(stripped)
    )


def _leading_quote(lines: list[str]) -> int:
    """The end of a quote block that opens the text, when new text follows it (else 0).

    Not when more quotes come later: that is an answer written between the lines.
    """
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or not _is_quote(lines[index]):
        return 0
    while index < len(lines) and (_is_quote(lines[index]) or not lines[index].strip()):
        index += 1
    if index >= len(lines) or any(_is_quote(line) for line in lines[index:]):
        return 0
    return index


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def split_quoted(body: str) -> SplitText:
    """`body` as the new text and the quoted or forwarded rest."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    quoted: list[str] = []
    forwarded = False
    cut = _header_cut(lines)
    if cut is not None:
        index, forwarded = cut
        quoted = lines[index:]
        lines = lines[:index]
    trailing = _trailing_quote(lines)
    if trailing < len(lines):
        quoted = lines[trailing:] + ([""] if quoted else []) + quoted
        lines = lines[:trailing]
    leading = _leading_quote(lines)
    if leading:
        quoted = lines[:leading] + ([""] if quoted else []) + quoted
        lines = lines[leading:]
    return SplitText(text=_join(lines).strip(), quoted=_join(quoted).strip(), forwarded=forwarded)
