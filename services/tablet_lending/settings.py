from __future__ import annotations

from typing import Self

from pydantic import AwareDatetime, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import Environment, ServiceSettings

MIN_TOKEN_SECRET_LENGTH = 32


class TabletLendingSettings(ServiceSettings):
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
    # "username:password:role[+role]:表示名,..." — development and demos only; production refuses it.
    demo_accounts: str = ""
    # Who saw or changed a participant is kept this long (then the audit entries expire).
    audit_retention_days: int = 1095

    # One-time LINE link codes given to seniors on paper or by phone.
    link_code_ttl_days: int = 14

    # Reminders: days before the due date, overdue escalation, and the hours (Japan time) in which
    # seniors may be messaged or called: "9-19" means from 09:00 to before 19:00.
    reminder_days_before: str = "14,7,1"
    overdue_call_after_days: int = 7
    overdue_visit_after_days: int = 14
    reminder_hours_jst: str = "9-19"
    scheduler_interval_seconds: float = 60.0
    # A loan counts as "due soon" (metrics) this many days before its due date.
    due_soon_days: int = 7
    metrics_interval_seconds: float = 30.0

    # Personal data is erased this many days after a cohort's lending window ends.
    retention_days_after_cohort_end: int = 180

    # Tests only: the service's clock starts at this instant and runs on from there.
    clock_start: AwareDatetime | None = None

    @field_validator("reminder_days_before")
    @classmethod
    def _days_are_positive_integers(cls, value: str) -> str:
        days = [part.strip() for part in value.split(",") if part.strip()]
        if not days or not all(day.isdigit() and int(day) >= 1 for day in days):
            raise ValueError("reminder_days_before must be positive whole days, e.g. 14,7,1")
        return ",".join(days)

    @field_validator("reminder_hours_jst")
    @classmethod
    def _hours_are_a_range(cls, value: str) -> str:
        start, _, end = value.partition("-")
        if not (start.isdigit() and end.isdigit() and 0 <= int(start) < int(end) <= 24):
            raise ValueError("reminder_hours_jst must look like 9-19 (start before end, 0..24)")
        return value

    @property
    def days_before(self) -> tuple[int, ...]:
        return tuple(
            sorted({int(day) for day in self.reminder_days_before.split(",")}, reverse=True)
        )

    @property
    def reminder_hours(self) -> tuple[int, int]:
        start, _, end = self.reminder_hours_jst.partition("-")
        return int(start), int(end)

    def secrets_to_check(self) -> dict[str, str]:
        return {"TABLET_LENDING_TOKEN_SECRET": self.token_secret}

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
