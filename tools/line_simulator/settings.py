"""Settings of the LINE Platform simulator.

The channel secret and access token use the same unprefixed variables as line_gateway, so one
environment configures both ends; everything else is prefixed `LINE_SIMULATOR_`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_USERS_FILE = Path(__file__).with_name("demo_users.json")


class SimulatorSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LINE_SIMULATOR_", extra="ignore", populate_by_name=True
    )

    host: str = "127.0.0.1"
    port: int = 8100
    channel_secret: str = Field(
        default="dev-channel-secret", validation_alias=AliasChoices("LINE_CHANNEL_SECRET")
    )
    channel_access_token: str = Field(
        default="dev-channel-access-token",
        validation_alias=AliasChoices("LINE_CHANNEL_ACCESS_TOKEN"),
    )
    webhook_url: str = "http://127.0.0.1:8001/callback"
    # LINE does not publish the exact validity; about a minute is what it honours in practice.
    reply_token_ttl_seconds: float = 60.0
    # The `destination` of every webhook: the bot's own user id.
    bot_user_id: str = "U0000000000000000000000000000b07a"
    # LINE waits a few seconds for a webhook answer; the gateway must answer within 2 s anyway.
    webhook_timeout_seconds: float = 10.0
    # LINE's "Webhook redelivery" console setting (off unless turned on, as on LINE): webhooks
    # without a 2xx answer are sent again after 1, 2, 4, ... seconds (at most 30 apart), 8 times.
    webhook_redelivery: bool = False
    webhook_redelivery_first_delay_seconds: float = 1.0
    webhook_redelivery_max_delay_seconds: float = 30.0
    webhook_redelivery_max_attempts: int = 8
    # The light plan's monthly allowance in Japan; changeable at run time through POST /sim/quota.
    monthly_quota: int = 5000
    retry_key_ttl_seconds: float = 24 * 60 * 60
    demo_users_file: Path = DEMO_USERS_FILE
    max_logged_requests: int = 1000
    max_remembered_events: int = 10_000
