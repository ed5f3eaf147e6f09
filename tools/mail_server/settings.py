"""Settings of the local mail server (prefix `MAIL_SERVER_`); the devstack sets them all."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class MailServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAIL_SERVER_", extra="ignore")

    host: str = "127.0.0.1"
    # Incoming mail, as the helpdesk's provider receives it from the internet (no AUTH,
    # STARTTLS offered).
    smtp_port: int = 2525
    # Outgoing mail from the helpdesk: STARTTLS and AUTH required, recorded in the sink.
    submission_port: int = 2587
    # The control API and the test page.
    control_port: int = 8300
    # Dovecot's IMAPS port (the devstack runs Dovecot; shown on the page only).
    imap_port: int = 2993
    # The mailbox Dovecot serves (Maildir/ inside it) and the sink of submitted mail.
    mailbox_dir: Path = Path(".local/mail/home")
    sink_dir: Path = Path(".local/mail/sent")
    certificate: Path = Path(".local/mail/tls/cert.pem")
    private_key: Path = Path(".local/mail/tls/key.pem")
    # Addresses delivered into the mailbox (comma-separated); others are refused with 550.
    local_addresses: str = "soudan@helpdesk.example.jp"
    username: str = "helpdesk"
    password: str = "helpdesk-mail-demo-pass"  # noqa: S105 (local test server only)
    max_message_bytes: int = 30 * 1024 * 1024
    hostname: str = "mail.localhost"

    def local_address_set(self) -> frozenset[str]:
        return frozenset(
            address.strip().lower() for address in self.local_addresses.split(",") if address
        )
