from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings, shared


class AiChatSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AI_CHAT_")

    port: int = 8003
    mongodb_database: str = "sslp_ai_chat"

    # Without a key Dai-chan answers with the offline responder (clearly labelled as such).
    openai_api_key: str | None = Field(default=None, validation_alias=shared("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=shared("OPENAI_BASE_URL"))
    openai_model: str = Field(default="gpt-4o-mini", validation_alias=shared("OPENAI_MODEL"))
    # The SDK's defaults (600 s, 2 retries) are far too long for a chat reply: a senior waiting
    # more than a few seconds is better served by the kind fallback message.
    openai_timeout_seconds: float = 8.0
    openai_max_retries: int = 1
    openai_max_output_tokens: int = 300
    # Turns kept for context and how long conversations are kept at all (APPI retention).
    history_turns: int = 8
    conversation_retention_days: int = 90
