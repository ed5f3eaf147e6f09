from __future__ import annotations

import json
from datetime import timedelta
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.calendar import BusinessCalendar
from services.common.events.contracts.helpdesk import Priority
from services.common.settings import (
    ContactCardSecretSettings,
    Environment,
    PreferredNameSecretSettings,
)
from services.helpdesk.clients.mailbox import ImapConfig
from services.helpdesk.clients.submission import SmtpConfig
from services.helpdesk.domain.mail.compose import MailIdentity
from services.helpdesk.domain.mail.intake import IntakePolicy
from services.helpdesk.domain.sla import (
    DEFAULT_TARGETS,
    SlaPolicy,
    Targets,
)


class HelpdeskSettings(ContactCardSecretSettings, PreferredNameSecretSettings):
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

    # The senior's contact card (name, phone, area) is read from tablet_lending, its owner, when
    # a staff member opens a ticket, as that staff member (services.common.auth.delegation);
    # never stored here. A slow lending service must not hold the staff page.
    lending_url: str = "http://127.0.0.1:8002"
    lending_timeout_seconds: float = Field(default=2.0, gt=0)
    # The name the senior likes to be called (呼び名), read from ai_chat (Dai-chan's memory) beside
    # the card in the same way, with its own key; ai_chat down leaves the card without it.
    ai_chat_url: str = "http://127.0.0.1:8003"
    ai_chat_timeout_seconds: float = Field(default=2.0, gt=0)

    # The e-mail channel (issue 16): mail read from the mailbox opens and joins tickets
    # (`consumers/mailbox.py`). Off while HELPDESK_MAIL_IMAP_HOST is empty. TLS is always on and verified:
    # IMAP with implicit TLS, submission with STARTTLS; the CA file only replaces the system's
    # trust store (a private CA, the local servers).
    mail_address: str = ""
    mail_display_name: str = "おおさか楽なび 相談窓口"
    # Below every staff reply by mail (after "-- "); "\n" in the environment starts a line.
    mail_signature: str = "おおさか楽なび 相談窓口\n（このメールに そのまま ご返信ください）"
    mail_imap_host: str = ""
    mail_imap_port: int = Field(default=993, ge=1, le=65535)
    mail_imap_username: str = ""
    # An app password (the provider issues one per application), from the environment only.
    mail_imap_password: str = Field(default="", repr=False)
    mail_imap_folder: str = "INBOX"
    mail_imap_idle: bool = True
    mail_imap_idle_seconds: float = Field(default=300.0, gt=0, le=29 * 60)
    mail_imap_poll_seconds: float = Field(default=60.0, gt=0)
    mail_smtp_host: str = ""
    mail_smtp_port: int = Field(default=587, ge=1, le=65535)
    mail_smtp_username: str = ""
    mail_smtp_password: str = Field(default="", repr=False)
    mail_tls_ca_file: str = ""
    mail_timeout_seconds: float = Field(default=30.0, gt=0)
    mail_max_message_bytes: int = Field(default=30 * 1024 * 1024, gt=0)
    # A sender writing more than this many mails an hour is refused silently (a flood or a loop);
    # an emergency in the text still makes an urgent ticket.
    mail_max_per_sender_hour: int = Field(default=20, gt=0)
    # A mail whose intake fails this many times (our own error, counted in mongod) is given up:
    # recorded failed in mail_intake, flagged seen, counted; see consumers/mailbox.py.
    mail_max_intake_attempts: int = Field(default=5, gt=0)
    # How often staged staff replies are looked for and sent (a reply goes within this).
    mail_send_interval_seconds: float = Field(default=5.0, gt=0)

    @property
    def mail_enabled(self) -> bool:
        return bool(self.mail_imap_host.strip())

    def imap_config(self) -> ImapConfig:
        return ImapConfig(
            host=self.mail_imap_host,
            port=self.mail_imap_port,
            username=self.mail_imap_username,
            password=self.mail_imap_password,
            folder=self.mail_imap_folder,
            ca_file=self.mail_tls_ca_file or None,
            timeout_seconds=self.mail_timeout_seconds,
            use_idle=self.mail_imap_idle,
            idle_seconds=self.mail_imap_idle_seconds,
            poll_seconds=self.mail_imap_poll_seconds,
            max_message_bytes=self.mail_max_message_bytes,
        )

    def mail_intake_policy(self) -> IntakePolicy:
        address = self.mail_address.strip().lower()
        return IntakePolicy(
            own_addresses=(address,),
            own_domain=address.rpartition("@")[2],
            reopen_window=timedelta(hours=self.reopen_window_hours),
            max_per_sender=self.mail_max_per_sender_hour,
            rate_window=timedelta(hours=1),
        )

    def mail_identity(self) -> MailIdentity:
        address = self.mail_address.strip()
        return MailIdentity(
            address=address,
            display_name=self.mail_display_name,
            message_id_domain=address.rpartition("@")[2].lower(),
            signature=self.mail_signature.replace("\\n", "\n"),
        )

    def smtp_config(self) -> SmtpConfig:
        return SmtpConfig(
            host=self.mail_smtp_host,
            port=self.mail_smtp_port,
            username=self.mail_smtp_username,
            password=self.mail_smtp_password,
            ca_file=self.mail_tls_ca_file or None,
            timeout_seconds=self.mail_timeout_seconds,
        )

    def _mail_problems(self) -> list[str]:
        if not self.mail_enabled:
            return []
        required = {
            "HELPDESK_MAIL_ADDRESS": self.mail_address,
            "HELPDESK_MAIL_IMAP_USERNAME": self.mail_imap_username,
            "HELPDESK_MAIL_IMAP_PASSWORD": self.mail_imap_password,
            "HELPDESK_MAIL_SMTP_HOST": self.mail_smtp_host,
            "HELPDESK_MAIL_SMTP_USERNAME": self.mail_smtp_username,
            "HELPDESK_MAIL_SMTP_PASSWORD": self.mail_smtp_password,
        }
        problems = [f"{name} is needed" for name, value in required.items() if not value.strip()]
        if self.mail_address and "@" not in self.mail_address:
            problems.append("HELPDESK_MAIL_ADDRESS must be an e-mail address")
        return problems

    def secrets_to_check(self) -> dict[str, str]:
        return {**super().secrets_to_check(), "HELPDESK_SESSION_SECRET": self.session_secret}

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
        problems = self._mail_problems()
        if problems:
            raise ValueError("mail channel: " + "; ".join(problems))

    def sla_policy(self) -> SlaPolicy:
        calendar = BusinessCalendar.from_settings(
            self.business_hours, self.business_days, observe_holidays=self.observe_holidays
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
