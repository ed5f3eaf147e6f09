"""The two SMTP listeners (aiosmtpd): incoming mail for the helpdesk's addresses into the
mailbox, and the submission port (STARTTLS and AUTH required) recording what the helpdesk
sends in the sink; a submitted mail to a local address is also delivered, as an MTA would."""

from __future__ import annotations

import asyncio
import hmac
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tools.mail_server import store
from tools.mail_server.settings import MailServerSettings
from tools.mail_server.tls import server_context

log = logging.getLogger("tools.mail_server")


class _Delivery:
    def __init__(self, settings: MailServerSettings, *, submission: bool) -> None:
        self.settings = settings
        self.submission = submission
        self.local = settings.local_address_set()
        self.maildir = settings.mailbox_dir / "Maildir"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not self.submission and address.lower() not in self.local:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        mail_from = envelope.mail_from or ""
        rcpts = list(envelope.rcpt_tos)
        # Files are written in a thread: the event loop keeps serving other connections.
        if self.submission:
            key = await asyncio.to_thread(
                store.record_sent,
                self.settings.sink_dir,
                mail_from=mail_from,
                rcpt_tos=rcpts,
                data=data,
            )
            log.info("submitted %s (%d bytes, %d recipients)", key, len(data), len(rcpts))
        peer = str(session.peer[0]) if isinstance(session.peer, tuple) else "unknown"
        for rcpt in rcpts:
            if rcpt.lower() in self.local:
                trace = store.trace_headers(
                    mail_from=mail_from,
                    rcpt=rcpt.lower(),
                    peer=peer,
                    hostname=self.settings.hostname,
                    when=datetime.now(UTC),
                )
                key = await asyncio.to_thread(store.deliver, self.maildir, trace + data)
                log.info("delivered %s (%d bytes)", key, len(data))
        return "250 2.0.0 OK"


def _authenticator(settings: MailServerSettings) -> Any:
    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        good = hmac.compare_digest(
            auth_data.login, settings.username.encode()
        ) & hmac.compare_digest(auth_data.password, settings.password.encode())
        return AuthResult(success=bool(good), handled=False)

    return authenticate


def prepare(settings: MailServerSettings) -> None:
    store.prepare_maildir(settings.mailbox_dir / "Maildir")
    store.prepare_maildir(settings.sink_dir)


async def start(settings: MailServerSettings) -> list[asyncio.Server]:
    """Listen on both SMTP ports; returns the servers (close them to stop)."""
    loop = asyncio.get_running_loop()
    tls = server_context(Path(settings.certificate), Path(settings.private_key))
    inbound = _Delivery(settings, submission=False)
    submission = _Delivery(settings, submission=True)

    def inbound_protocol() -> SMTP:
        return SMTP(
            inbound,
            hostname=settings.hostname,
            data_size_limit=settings.max_message_bytes,
            tls_context=tls,
            enable_SMTPUTF8=True,
        )

    def submission_protocol() -> SMTP:
        return SMTP(
            submission,
            hostname=settings.hostname,
            data_size_limit=settings.max_message_bytes,
            tls_context=tls,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=_authenticator(settings),
            enable_SMTPUTF8=True,
        )

    return [
        await loop.create_server(inbound_protocol, settings.host, settings.smtp_port),
        await loop.create_server(submission_protocol, settings.host, settings.submission_port),
    ]
