from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class TabletLendingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TABLET_LENDING_")

    port: int = 8002
    mongodb_database: str = "sslp_tablet_lending"
    # Ship phase 2 and phase 3 (from the programme's published records) as seed data.
    seed_cohorts: bool = True
