"""The mail server's control API and test page: what the helpdesk sent (the sink), what is in
its mailbox, and a form that sends a test mail in as a family member would."""

from __future__ import annotations

import asyncio
import smtplib
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from tools.mail_server import client, store
from tools.mail_server.settings import MailServerSettings

PAGE = Path(__file__).with_name("page.html")


class TestMail(BaseModel):
    to: str = Field(min_length=3, max_length=320)
    subject: str = Field(max_length=500)
    body: str = Field(max_length=100_000)
    sender: str = Field(default="hanako.tanaka@example.ne.jp", min_length=3, max_length=320)
    sender_name: str = Field(default="田中 花子", max_length=100)
    charset: Literal["utf-8", "iso-2022-jp", "shift_jis"] = "utf-8"
    in_reply_to: str | None = Field(default=None, max_length=300)


def create_app(settings: MailServerSettings) -> FastAPI:
    app = FastAPI(title="Local mail server (control)", docs_url=None, redoc_url=None)
    maildir = settings.mailbox_dir / "Maildir"

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(PAGE.read_text(encoding="utf-8"))

    @app.get("/control/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/control/config")
    async def config() -> dict[str, object]:
        """Where the local servers listen, for the page and for a developer's mail client."""
        return {
            "address": sorted(settings.local_address_set())[0],
            "smtp_port": settings.smtp_port,
            "submission_port": settings.submission_port,
            "imap_port": settings.imap_port,
        }

    @app.get("/control/sent")
    async def sent(message_id: str | None = None) -> list[dict[str, object]]:
        """Mail submitted by the helpdesk, oldest first (optionally one Message-ID's)."""
        found = await asyncio.to_thread(store.list_sent, settings.sink_dir)
        return [m.as_json() for m in found if message_id is None or m.message_id == message_id]

    @app.get("/control/sent/{key}/raw")
    async def sent_raw(key: str) -> Response:
        data = await asyncio.to_thread(store.sent_bytes, settings.sink_dir, key)
        if data is None:
            raise HTTPException(status_code=404, detail="no such sent mail")
        return Response(content=data, media_type="message/rfc822")

    @app.delete("/control/sent")
    async def clear_sent() -> dict[str, int]:
        return {"deleted": await asyncio.to_thread(store.clear, settings.sink_dir)}

    @app.get("/control/mailbox")
    async def mailbox() -> list[dict[str, object]]:
        """What has arrived for the helpdesk (its IMAP INBOX), oldest first."""
        return [m.as_json() for m in await asyncio.to_thread(store.list_mailbox, maildir)]

    @app.post("/control/send")
    async def send(mail: TestMail) -> dict[str, str]:
        """Send a test mail over SMTP to the incoming endpoint, as a family member would."""
        try:
            raw = client.compose_test_mail(
                to=mail.to,
                subject=mail.subject,
                body=mail.body,
                sender=mail.sender,
                sender_name=mail.sender_name,
                charset=mail.charset,
                in_reply_to=mail.in_reply_to,
            )
            await asyncio.to_thread(
                client.send,
                raw,
                host=settings.host,
                port=settings.smtp_port,
                mail_from=mail.sender,
                rcpt_tos=[mail.to],
            )
        except (ValueError, UnicodeError) as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise HTTPException(status_code=400, detail="recipient refused") from exc
        return {"status": "sent"}

    return app
