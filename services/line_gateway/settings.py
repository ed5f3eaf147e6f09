from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings, shared


class LineGatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LINE_GATEWAY_")

    port: int = 8001
    mongodb_database: str = "sslp_line_gateway"

    channel_secret: str = Field(
        default="dev-channel-secret", validation_alias=shared("LINE_CHANNEL_SECRET")
    )
    channel_access_token: str = Field(
        default="dev-channel-access-token", validation_alias=shared("LINE_CHANNEL_ACCESS_TOKEN")
    )
    # The Messaging API host; the local stack points it at the LINE simulator.
    api_base_url: str = Field(
        default="https://api.line.me", validation_alias=shared("LINE_API_BASE_URL")
    )
    # line-bot-sdk waits 300 s by default; a send that slow is better retried.
    api_timeout_seconds: float = 5.0
    # LINE accepts a reply token for about a minute after the event; keep a margin for the send.
    reply_token_ttl_seconds: float = 50.0
    max_webhook_body_bytes: int = 1_048_576
    webhook_event_retention_days: int = 7

    def secrets_to_check(self) -> dict[str, str]:
        return {
            "LINE_CHANNEL_SECRET": self.channel_secret,
            "LINE_CHANNEL_ACCESS_TOKEN": self.channel_access_token,
        }
