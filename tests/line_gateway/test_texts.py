"""What the gateway itself says to seniors is in Dai-chan's voice, like every other text."""

from __future__ import annotations

import pytest

from services.line_gateway.domain import texts
from tests.fixtures.voice import assert_dai_chans_voice

SAID_TO_SENIORS = [
    texts.GROUP_NOTE,
    texts.LINK_SUCCESS,
    texts.LINK_ALREADY,
    texts.LINK_WRONG,
    texts.LINK_EXPIRED,
    texts.LINK_USED,
    texts.LINK_RATE_LIMITED,
    texts.LINK_HELP,
    texts.AUDIO_TOO_LONG,
]


@pytest.mark.parametrize("text", SAID_TO_SENIORS)
def test_the_gateways_texts_are_in_dai_chans_voice(text: str) -> None:
    assert_dai_chans_voice(text)


def test_the_link_help_quotes_the_success_text_it_promises() -> None:
    assert "「連携が できたで」" in texts.LINK_HELP
    assert texts.LINK_SUCCESS.startswith("LINEの 連携が できたで")


def test_sessions_are_called_by_the_programmes_name() -> None:
    assert "講座" not in texts.LINK_SUCCESS + texts.LINK_HELP
