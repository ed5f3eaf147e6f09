from __future__ import annotations

import json
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.events.contracts.helpdesk import Priority
from services.common.settings import Environment, ServiceSettings
from services.common.time import parse_hours
from services.helpdesk.domain.sla import (
    DEFAULT_TARGETS,
    BusinessCalendar,
    SlaPolicy,
    Targets,
    parse_weekdays,
)


class HelpdeskSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HELPDESK_")

    port: int = 8004
    mongodb_database: str = "sslp_helpdesk"

    # Staff sign-in (services.common.auth).
    session_secret: str = Field(default="dev-helpdesk-session-secret")
    session_hours: float = 9.0
    # None: Secure cookies everywhere except development and test over plain http://localhost.
    cookie_secure: bool | None = None
    login_max_failures: int = 5
    login_lockout_minutes: float = 15.0
    login_max_failures_per_address: int = 20
    # "username:password:role[+role]:表示名,..." for `make run`/`make up` only; refused in production.
    demo_accounts: str = ""
    # Single sign-on through an OIDC-authenticating reverse proxy (e.g. oauth2-proxy): the proxy
    # signs staff in with the organisation's identity provider and passes the username in
    # `sso_username_header`, plus `sso_proxy_secret` in X-Helpdesk-Proxy-Secret so nobody who
    # reaches the helpdesk without the proxy can claim a username. Empty: SSO is off.
    sso_username_header: str = ""
    sso_proxy_secret: str = ""

    # SLA clock: business hours in Japan time, working weekdays, public holidays closed.
    business_hours: str = "09:00-17:00"
    business_days: str = "mon-fri"
    observe_holidays: bool = True
    # JSON overriding targets in business minutes, e.g. {"urgent": {"first_response": 10}}.
    sla_targets: str = ""
    sla_warn_remaining_fraction: float = 0.25
    sla_check_interval_seconds: float = 30.0

    # A resolved ticket the senior does not write to again is closed after this long.
    reopen_window_hours: float = 72.0
    # How much of the senior's recent Dai-chan conversation staff see, and for how long it is kept.
    context_retention_days: int = 14
    context_messages: int = 10
    # Messages staff marked as a missed danger or a false alarm (text, label and route only).
    safety_review_retention_days: int = 365
    audit_retention_days: int = 365
    # Closed tickets (their thread included) are deleted this long after closing.
    ticket_retention_days: int = 730
    presence_seconds: float = 30.0

    def secrets_to_check(self) -> dict[str, str]:
        return {"HELPDESK_SESSION_SECRET": self.session_secret}

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment is Environment.PRODUCTION

    @model_validator(mode="after")
    def _production_rules(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            if self.demo_accounts.strip():
                raise ValueError("HELPDESK_DEMO_ACCOUNTS must not be set in production")
            if self.cookie_secure is False:
                raise ValueError("HELPDESK_COOKIE_SECURE=false is refused in production")
            if len(self.session_secret) < 32:
                raise ValueError("HELPDESK_SESSION_SECRET needs at least 32 characters")
        return self

    def check_startup(self) -> None:
        """Checks across several settings, run when the service starts (not per field)."""
        if self.sso_username_header and len(self.sso_proxy_secret) < 32:
            raise ValueError(
                "HELPDESK_SSO_USERNAME_HEADER needs HELPDESK_SSO_PROXY_SECRET (32+ characters)"
            )
        self.sla_policy()  # a malformed calendar or target list fails here, not on a ticket

    def sla_policy(self) -> SlaPolicy:
        opens, closes = parse_hours(self.business_hours)
        calendar = BusinessCalendar(
            opens_minute=opens,
            closes_minute=closes,
            weekdays=parse_weekdays(self.business_days),
            observe_holidays=self.observe_holidays,
        )
        targets = dict(DEFAULT_TARGETS)
        if self.sla_targets.strip():
            overrides = json.loads(self.sla_targets)
            for name, values in overrides.items():
                priority = Priority(name)
                base = targets[priority]
                targets[priority] = Targets(
                    first_response=float(values.get("first_response", base.first_response)),
                    next_response=float(values.get("next_response", base.next_response)),
                    resolution=float(values.get("resolution", base.resolution)),
                )
        return SlaPolicy(
            calendar=calendar,
            targets=targets,
            warn_remaining_fraction=self.sla_warn_remaining_fraction,
        )
