"""LINE's counting: texts in UTF-16 code units, labels in grapheme clusters, in one place."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.common.events.contracts.line import MessageAction, PostbackAction, TextMessage
from services.common.line_text import grapheme_length, truncate_utf16, utf16_length

FAMILY = "👨\u200d👩\u200d👧"  # one grapheme, five code points, eight UTF-16 units
FLAG = "🇯🇵"  # one grapheme, two code points, four UTF-16 units


def test_lengths_as_line_counts_them() -> None:
    assert utf16_length("あいう") == 3
    assert utf16_length("😀") == 2
    assert utf16_length(FAMILY) == 8
    assert grapheme_length(FAMILY + FLAG + "が") == 3
    assert grapheme_length("か\u3099") == 1  # a combining voiced mark joins its kana


def test_truncation_never_splits_a_character() -> None:
    assert truncate_utf16("あ" * 10, 20) == "あ" * 10
    assert truncate_utf16("ab😀", 3) == "ab"
    assert truncate_utf16("a" + FAMILY, 8) == "a"
    assert utf16_length(truncate_utf16("😀" * 3000, 5000)) == 5000


def test_a_text_of_5000_characters_with_one_emoji_is_refused() -> None:
    TextMessage(text="あ" * 4998 + "😀")
    with pytest.raises(ValidationError, match="UTF-16"):
        TextMessage(text="あ" * 4999 + "😀")


def test_labels_count_graphemes() -> None:
    MessageAction(label=FAMILY * 20, text="x")
    PostbackAction(label=FLAG * 20, data="d")
    with pytest.raises(ValidationError, match="grapheme"):
        MessageAction(label="a" * 21, text="x")
