from __future__ import annotations

from enum import StrEnum

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from services.common.events.contracts.line import MAX_MULTICAST_RECIPIENTS
from services.common.settings import LinkCodeSecretSettings, shared

LINE_API_HOST = "https://api.line.me"
LINE_DATA_API_HOST = "https://api-data.line.me"


class GatewayRole(StrEnum):
    """What one gateway process does. Receiving webhooks and sending to LINE scale and fail
    differently, and work in one event loop delays the other: run them as separate processes
    (`webhook` and `sender`); `all` is both in one process, for `make run` and small setups."""

    WEBHOOK = "webhook"  # POST /callback only (+ health, metrics): no Kafka consumer
    SENDER = "sender"  # the consumers (line.outbound, follow-ups, read models) and periodic jobs
    ALL = "all"

    @property
    def serves_webhook(self) -> bool:
        return self is not GatewayRole.SENDER

    @property
    def consumes(self) -> bool:
        return self is not GatewayRole.WEBHOOK


class LineGatewaySettings(LinkCodeSecretSettings):
    model_config = SettingsConfigDict(env_prefix="LINE_GATEWAY_")

    port: int = 8001
    # LINE_GATEWAY_ROLE, or `python -m services.line_gateway --role webhook`.
    role: GatewayRole = GatewayRole.ALL
    mongodb_database: str = "sslp_line_gateway"

    channel_secret: str = Field(
        default="dev-channel-secret", validation_alias=shared("LINE_CHANNEL_SECRET")
    )
    channel_access_token: str = Field(
        default="dev-channel-access-token", validation_alias=shared("LINE_CHANNEL_ACCESS_TOKEN")
    )
    # The Messaging API host; the local stack points it at the LINE simulator.
    api_base_url: str = Field(default=LINE_API_HOST, validation_alias=shared("LINE_API_BASE_URL"))
    # Content downloads and rich menu images live on LINE's data host. Left unset, it is LINE's
    # data host when the API host is LINE's, and the API host otherwise (the simulator serves both).
    data_api_base_url: str | None = Field(
        default=None, validation_alias=shared("LINE_DATA_API_BASE_URL")
    )
    # line-bot-sdk waits 300 s by default; a send that slow is better retried.
    api_timeout_seconds: float = 5.0
    # The proxy for calls to LINE's https hosts, if the network needs one. Read here, not by aiohttp
    # from the environment on every call (that also looked up ~/.netrc each time); NO_PROXY is not
    # consulted.
    line_api_proxy: str | None = Field(
        default=None,
        validation_alias=AliasChoices("LINE_GATEWAY_LINE_API_PROXY", "HTTPS_PROXY", "https_proxy"),
    )
    # LINE accepts a reply token for about a minute after the event; keep a margin for the send.
    reply_token_ttl_seconds: float = 50.0
    max_webhook_body_bytes: int = 1_048_576
    webhook_event_retention_days: int = 7

    # -- users and personal data ---------------------------------------------------------------
    # How often LINE profiles (name, picture, language) stored by earlier versions are looked
    # for and erased; the gateway no longer fetches them.
    maintenance_interval_seconds: float = 3600.0
    # How often friends, blocks and links are counted for /metrics.
    users_metrics_seconds: float = 30.0

    # -- sending and cost ------------------------------------------------------------------------
    # Billable messages (push recipients, multicast recipients) the programme allows itself per
    # month; 0 means "LINE's plan allowance", read from the quota endpoint.
    monthly_push_budget: int = 0
    quota_refresh_seconds: float = 300.0
    # A low-priority push is decided on the month's count read at most this long ago (plus this
    # process's own billable sends since), while more than `budget_exact_within` messages remain;
    # nearer the limit every such push reads the count afresh. (Reading it per send was two
    # queries and an aggregation over every shard, twice per push.)
    budget_cache_seconds: float = 2.0
    budget_exact_within: int = 500
    # Recipients per multicast call; LINE allows at most 500 (larger values are capped).
    multicast_batch_size: int = 500
    # The loading animation shown while Dai-chan thinks; LINE takes 5..60 in steps of 5, so
    # other values are rounded into that range.
    loading_seconds: int = 20
    # Show it only for messages this fresh: a replayed or late event gets no animation.
    loading_max_age_seconds: float = 20.0

    # -- voice -----------------------------------------------------------------------------------
    # Voice messages longer than this get a kind request for a shorter one instead of a
    # transcription; the size cap keeps the event well under Kafka's 1 MB message limit.
    audio_max_seconds: float = 60.0
    audio_max_bytes: int = 600_000

    # -- account linking -------------------------------------------------------------------------
    link_max_failures: int = 5
    link_failure_window_seconds: float = 3600.0
    # Used and expired codes are kept this long so a senior can be told "already used" or
    # "expired" rather than "wrong".
    link_code_retention_days: int = 30

    # -- rich menu -------------------------------------------------------------------------------
    rich_menu_enabled: bool = True
    rich_menu_retry_seconds: float = 30.0

    def secrets_to_check(self) -> dict[str, str]:
        return {
            **super().secrets_to_check(),
            "LINE_CHANNEL_SECRET": self.channel_secret,
            "LINE_CHANNEL_ACCESS_TOKEN": self.channel_access_token,
        }

    @property
    def multicast_batch(self) -> int:
        return min(max(self.multicast_batch_size, 1), MAX_MULTICAST_RECIPIENTS)

    @property
    def loading_animation_seconds(self) -> int:
        return min(max(round(self.loading_seconds / 5) * 5, 5), 60)

    @property
    def data_host(self) -> str:
        if self.data_api_base_url:
            return self.data_api_base_url
        return LINE_DATA_API_HOST if self.api_base_url == LINE_API_HOST else self.api_base_url
