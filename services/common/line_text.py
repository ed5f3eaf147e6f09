"""How LINE counts characters, in one place for the contracts, the helpdesk and the simulator.

LINE counts a message text's length in UTF-16 code units: an emoji or other character outside
the Basic Multilingual Plane counts 2, so a 5,000-character reply with one emoji is 5,001 and is
refused. Action and quick-reply labels are counted in grapheme clusters (what a person sees as
one character: 👨‍👩‍👧 is one), found with `regex`'s `\\X` (Unicode's extended grapheme clusters).
Counting code points, as `len()` does, is right for neither.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

_GRAPHEME = regex.compile(r"\X")


def utf16_length(text: str) -> int:
    """Length as LINE counts message texts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def grapheme_length(text: str) -> int:
    """Length as LINE counts labels: extended grapheme clusters."""
    return len(_GRAPHEME.findall(text))


def truncate_utf16(text: str, limit: int) -> str:
    """The longest prefix within `limit` UTF-16 units that splits no grapheme (nor surrogate)."""
    if utf16_length(text) <= limit:
        return text
    kept: list[str] = []
    used = 0
    for grapheme in _GRAPHEME.findall(text):
        size = utf16_length(grapheme)
        if used + size > limit:
            break
        kept.append(grapheme)
        used += size
    return "".join(kept)


def utf16_at_most(limit: int) -> Callable[[str], str]:
    """A pydantic AfterValidator: the text fits LINE's `limit` in UTF-16 code units."""

    def check(text: str) -> str:
        if utf16_length(text) > limit:
            raise ValueError(
                f"must be at most {limit} UTF-16 code units as LINE counts them "
                f"(this is {utf16_length(text)}; characters outside the BMP, e.g. emoji, count 2)"
            )
        return text

    return check


def graphemes_at_most(limit: int) -> Callable[[str], str]:
    """A pydantic AfterValidator: the label fits LINE's `limit` in grapheme clusters."""

    def check(text: str) -> str:
        if grapheme_length(text) > limit:
            raise ValueError(
                f"must be at most {limit} characters (grapheme clusters; this is "
                f"{grapheme_length(text)})"
            )
        return text

    return check
