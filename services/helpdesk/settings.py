from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class HelpdeskSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HELPDESK_")

    port: int = 8004
    mongodb_database: str = "sslp_helpdesk"
