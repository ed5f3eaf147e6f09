from __future__ import annotations

from typing import Annotated, Self

from pydantic import AwareDatetime, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from services.common.settings import (
    ContactCardSecretSettings,
    Environment,
    LinkCodeSecretSettings,
)

MIN_TOKEN_SECRET_LENGTH = 32


class TabletLendingSettings(LinkCodeSecretSettings, ContactCardSecretSettings):
    model_config = SettingsConfigDict(env_prefix="TABLET_LENDING_")

    port: int = 8002
    mongodb_database: str = "sslp_tablet_lending"
    # Ship phase 2 and phase 3 (from the programme's published records) as seed data.
    seed_cohorts: bool = True
    # The clearly labelled demo cohort (第4期（デモ）) with fictional people, for `make run` only.
    demo_data: bool = False

    # Staff sign-in: signed bearer tokens with this service's own secret.
    token_secret: str = "dev-tablet-lending-token-secret-not-for-production"  # noqa: S105
    token_ttl_minutes: int = 540
    # Sign-in limits (services.common.auth.accounts): failures per username before a lock, the
    # lock's length, and failures allowed from one client address in that time.
    login_max_failures: int = 5
    login_lockout_minutes: float = 15.0
    login_max_failures_per_address: int = 20
    # "username:password:role[+role]:表示名,..." — development and demos only; production refuses it.
    demo_accounts: str = ""
    # Who saw or changed a participant is kept this long (then the audit entries expire).
    audit_retention_days: int = 1095

    # One-time LINE link codes given to seniors on paper or by phone.
    link_code_ttl_days: int = 14

    # Reminders: days before the due date ("14,7,1"), overdue escalation, and the hours (Japan
    # time) in which seniors may be messaged or called ("9-19": from 09:00 to before 19:00).
    reminder_days_before: Annotated[tuple[int, ...], NoDecode] = (14, 7, 1)
    overdue_call_after_days: int = 7
    overdue_visit_after_days: int = 14
    reminder_hours_jst: Annotated[tuple[int, int], NoDecode] = (9, 19)
    scheduler_interval_seconds: float = 60.0
    # A loan counts as "due soon" (metrics) this many days before its due date.
    due_soon_days: int = 7
    metrics_interval_seconds: float = 30.0

    # Personal data is erased this many days after a cohort's lending window ends.
    retention_days_after_cohort_end: int = 180

    # Tests only: the service's clock starts at this instant and runs on from there.
    clock_start: AwareDatetime | None = None

    @field_validator("reminder_days_before", mode="before")
    @classmethod
    def _days_from_text(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError("reminder_days_before must be whole days, e.g. 14,7,1")
            return tuple(int(part) for part in parts)
        return value

    @field_validator("reminder_days_before")
    @classmethod
    def _days_are_positive(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or min(value) < 1:
            raise ValueError("reminder_days_before needs at least one day, each 1 or more")
        return tuple(sorted(set(value), reverse=True))

    @field_validator("reminder_hours_jst", mode="before")
    @classmethod
    def _hours_from_text(cls, value: object) -> object:
        if isinstance(value, str):
            start, _, end = value.partition("-")
            if not (start.strip().isdigit() and end.strip().isdigit()):
                raise ValueError("reminder_hours_jst must look like 9-19")
            return int(start), int(end)
        return value

    @field_validator("reminder_hours_jst")
    @classmethod
    def _hours_are_a_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        start, end = value
        if not 0 <= start < end <= 24:
            raise ValueError("reminder_hours_jst must start before it ends, within 0-24")
        return value

    def secrets_to_check(self) -> dict[str, str]:
        return {**super().secrets_to_check(), "TABLET_LENDING_TOKEN_SECRET": self.token_secret}

    @model_validator(mode="after")
    def _production_is_strict(self) -> Self:
        if self.environment is not Environment.PRODUCTION:
            return self
        problems = []
        if len(self.token_secret) < MIN_TOKEN_SECRET_LENGTH:
            problems.append(f"TABLET_LENDING_TOKEN_SECRET needs {MIN_TOKEN_SECRET_LENGTH}+ chars")
        if self.demo_accounts:
            problems.append("TABLET_LENDING_DEMO_ACCOUNTS must be empty")
        if self.demo_data:
            problems.append("TABLET_LENDING_DEMO_DATA must be off")
        if self.clock_start is not None:
            problems.append("TABLET_LENDING_CLOCK_START must not be set")
        if problems:
            raise ValueError("production settings refused: " + "; ".join(problems))
        return self
