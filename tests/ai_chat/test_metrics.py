"""Dai-chan's metrics: the cost estimate follows the tokens and the configured prices; the safety
series are created for every route the rules know."""

from __future__ import annotations

import pytest

from services.ai_chat.clients.model import TokenPrices
from services.ai_chat.metrics import SAFETY_ROUTES
from services.ai_chat.settings import AiChatSettings
from services.common.safety import Route


def test_cost_is_tokens_times_price_per_million() -> None:
    prices = TokenPrices(input_yen_per_million=20.0, output_yen_per_million=80.0)
    assert prices.cost_yen(input_tokens=1_000, output_tokens=250) == pytest.approx(0.04)
    assert prices.cost_yen(input_tokens=0, output_tokens=0) == 0


def test_prices_are_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_CHAT_OPENAI_INPUT_YEN_PER_MILLION_TOKENS", "30")
    monkeypatch.setenv("AI_CHAT_OPENAI_OUTPUT_YEN_PER_MILLION_TOKENS", "120.5")
    settings = AiChatSettings()
    assert settings.openai_input_yen_per_million_tokens == 30
    assert settings.openai_output_yen_per_million_tokens == 120.5


def test_the_safety_series_cover_every_route() -> None:
    assert set(SAFETY_ROUTES) == {route.value for route in Route}
