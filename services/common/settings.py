"""Settings shared by every service; each service subclasses `ServiceSettings` with its own prefix.

Infrastructure settings (Kafka, MongoDB, environment) use the same unprefixed variable names in
every service so one `.env` or compose block configures them all; a service's own settings carry
its prefix (`AI_CHAT_PORT`, `HELPDESK_PORT`, ...).
"""

from __future__ import annotations

import socket
from enum import StrEnum
from typing import Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that are fine on a laptop and must never reach production.
DEV_PLACEHOLDER_PREFIX = "dev-"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def shared(name: str) -> AliasChoices:
    """An unprefixed environment variable shared by every service."""
    return AliasChoices(name)


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: Environment = Field(
        default=Environment.DEVELOPMENT, validation_alias=shared("SSL_ENVIRONMENT")
    )
    log_level: str = Field(default="INFO", validation_alias=shared("LOG_LEVEL"))
    log_format: str = Field(default="json", validation_alias=shared("LOG_FORMAT"))
    host: str = "127.0.0.1"
    port: int = 8000
    instance_id: str = Field(
        default_factory=socket.gethostname, validation_alias=shared("INSTANCE_ID")
    )

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", validation_alias=shared("KAFKA_BOOTSTRAP_SERVERS")
    )
    kafka_topic_partitions: int = Field(
        default=6, validation_alias=shared("KAFKA_TOPIC_PARTITIONS")
    )
    kafka_replication_factor: int = Field(
        default=1, validation_alias=shared("KAFKA_REPLICATION_FACTOR")
    )
    mongodb_uri: str = Field(
        default="mongodb://127.0.0.1:27017/?replicaSet=rs0",
        validation_alias=shared("MONGODB_URI"),
    )
    mongodb_database: str = "sslp"

    # Consumers: how much runs at once, how hard a failing message is retried before it is
    # dead-lettered, and how long shutdown waits for in-flight work before leaving it to be
    # redelivered.
    consumer_max_in_flight: int = 256
    consumer_max_attempts: int = 5
    consumer_retry_backoff_seconds: float = 0.5
    consumer_retry_backoff_max_seconds: float = 8.0
    shutdown_grace_seconds: float = 10.0
    # How often the service measures its consumer group's lag for /metrics.
    consumer_lag_sample_seconds: float = 15.0
    # Processed event ids are kept longer than Kafka retention plus any replay window, so a
    # redelivered or replayed event is always recognised.
    processed_event_retention_days: int = 30
    outbox_published_retention_days: int = 7

    def secrets_to_check(self) -> dict[str, str]:
        """Secrets that must not be left at a development placeholder in production."""
        return {}

    @model_validator(mode="after")
    def _refuse_placeholder_secrets_in_production(self) -> Self:
        if self.environment is not Environment.PRODUCTION:
            return self
        weak = [
            name
            for name, value in self.secrets_to_check().items()
            if not value or value.startswith(DEV_PLACEHOLDER_PREFIX)
        ]
        if weak:
            raise ValueError(
                "production settings still use development placeholders or empty values for: "
                + ", ".join(sorted(weak))
            )
        return self


MIN_LINK_CODE_SECRET_LENGTH = 32


class LinkCodeSecretSettings(ServiceSettings):
    """The services that issue or check LINE link codes (tablet_lending, line_gateway) and only
    they hold `LINK_CODE_SECRET`, the key of the codes' digests (services.common.link_codes)."""

    link_code_secret: str = Field(
        default="dev-link-code-secret-not-for-production",
        validation_alias=shared("LINK_CODE_SECRET"),
    )

    def secrets_to_check(self) -> dict[str, str]:
        return {**super().secrets_to_check(), "LINK_CODE_SECRET": self.link_code_secret}

    @model_validator(mode="after")
    def _long_link_code_secret_in_production(self) -> Self:
        if (
            self.environment is Environment.PRODUCTION
            and len(self.link_code_secret) < MIN_LINK_CODE_SECRET_LENGTH
        ):
            raise ValueError(
                f"LINK_CODE_SECRET needs at least {MIN_LINK_CODE_SECRET_LENGTH} characters"
            )
        return self


class ContactCardSecretSettings(ServiceSettings):
    """The helpdesk and tablet_lending, and only they, hold `LENDING_CONTACT_SECRET`: the key of
    the helpdesk's on-behalf-of tokens for a senior's contact card (services.common.auth.delegation).
    It is not a staff session key, so neither kind of token passes for the other."""

    lending_contact_secret: str = Field(
        default="dev-lending-contact-secret-not-for-production",
        validation_alias=shared("LENDING_CONTACT_SECRET"),
        repr=False,
    )

    def secrets_to_check(self) -> dict[str, str]:
        return {**super().secrets_to_check(), "LENDING_CONTACT_SECRET": self.lending_contact_secret}

    @model_validator(mode="after")
    def _long_contact_secret_in_production(self) -> Self:
        if (
            self.environment is Environment.PRODUCTION
            and len(self.lending_contact_secret) < MIN_LINK_CODE_SECRET_LENGTH
        ):
            raise ValueError(
                f"LENDING_CONTACT_SECRET needs at least {MIN_LINK_CODE_SECRET_LENGTH} characters"
            )
        return self


class PreferredNameSecretSettings(ServiceSettings):
    """The helpdesk and ai_chat, and only they, hold `PREFERRED_NAME_SECRET`: the key of the
    helpdesk's on-behalf-of tokens for the name a senior told Dai-chan to call them by
    (services.common.auth.delegation, audience ai_chat). A key of its own, so the lending key
    opens nothing in ai_chat and this one nothing in tablet_lending."""

    preferred_name_secret: str = Field(
        default="dev-preferred-name-secret-not-for-production",
        validation_alias=shared("PREFERRED_NAME_SECRET"),
        repr=False,
    )

    def secrets_to_check(self) -> dict[str, str]:
        return {**super().secrets_to_check(), "PREFERRED_NAME_SECRET": self.preferred_name_secret}

    @model_validator(mode="after")
    def _long_preferred_name_secret_in_production(self) -> Self:
        if (
            self.environment is Environment.PRODUCTION
            and len(self.preferred_name_secret) < MIN_LINK_CODE_SECRET_LENGTH
        ):
            raise ValueError(
                f"PREFERRED_NAME_SECRET needs at least {MIN_LINK_CODE_SECRET_LENGTH} characters"
            )
        return self
