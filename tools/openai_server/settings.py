"""Settings of the OpenAI-compatible test server (prefix `OPENAI_TEST_SERVER_`)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class OpenAIServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENAI_TEST_SERVER_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8200
    # What a voice message "says" until a test scripts something else through POST /control.
    default_transcript: str = "こんにちは"
    max_recorded_requests: int = 2000
