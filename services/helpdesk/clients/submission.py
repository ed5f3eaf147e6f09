"""Staff replies out through the provider's submission server (RFC 6409, port 587): STARTTLS
required before anything else is said (no fall-back to plain text), then AUTH with the account
and app password from the environment.

A message is sent as it was built: the Message-ID it carries is the reply's own (the domain's
`compose.build_reply`), so the caller records it before sending and a retry is the same mail.
Whether an error is worth a retry is told here, from SMTP's reply codes: 4xx and lost
connections are temporary, 5xx (refused recipients, a refused login, a message too large) are
not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from services.helpdesk.clients.tls import client_context


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str
    password: str
    ca_file: str | None = None
    timeout_seconds: float = 30.0


class SubmissionError(RuntimeError):
    def __init__(self, message: str, *, retryable: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code


async def submit(
    config: SmtpConfig, message: EmailMessage, *, sender: str, recipients: Sequence[str]
) -> None:
    """Send `message` to `recipients` once; raises SubmissionError on any failure."""
    if not message["Message-ID"]:
        raise ValueError("a reply needs its Message-ID before it is sent")
    if not recipients:
        raise ValueError("no recipients")
    try:
        await aiosmtplib.send(
            message,
            sender=sender,
            recipients=list(recipients),
            hostname=config.host,
            port=config.port,
            username=config.username,
            password=config.password,
            start_tls=True,
            tls_context=client_context(config.ca_file),
            timeout=config.timeout_seconds,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [refused.code for refused in exc.recipients]
        raise SubmissionError(
            f"recipients refused ({', '.join(map(str, codes))})",
            retryable=all(400 <= code < 500 for code in codes),
            code=codes[0] if codes else None,
        ) from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise SubmissionError(
            f"submission refused: {exc.code} {exc.message}",
            retryable=400 <= exc.code < 500,
            code=exc.code,
        ) from exc
    except aiosmtplib.SMTPException as exc:
        # Connection lost, timed out, TLS not offered: nothing was accepted.
        raise SubmissionError(f"submission failed: {exc}", retryable=True) from exc
