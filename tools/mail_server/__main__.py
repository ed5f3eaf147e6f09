"""`python -m tools.mail_server [serve]` runs the local mail servers (the devstack does);
`python -m tools.mail_server send --to … --subject … --body …` sends a test mail to them;
`python -m tools.mail_server sent` lists what the helpdesk sent."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys

import httpx
import uvicorn

from tools.mail_server import client, smtp
from tools.mail_server.control import create_app
from tools.mail_server.settings import MailServerSettings
from tools.mail_server.tls import ensure_certificate


async def serve(settings: MailServerSettings) -> None:
    ensure_certificate(settings.certificate, settings.private_key)
    smtp.prepare(settings)
    servers = await smtp.start(settings)
    print(
        f"Local mail: incoming SMTP {settings.host}:{settings.smtp_port}, submission "
        f"{settings.host}:{settings.submission_port} (STARTTLS + AUTH), control "
        f"http://{settings.host}:{settings.control_port}/",
        flush=True,
    )
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.control_port,
        loop="asyncio",
        log_config=None,
        access_log=False,
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        for server in servers:
            server.close()
            await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.mail_server")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the SMTP endpoints and the control API")
    send = commands.add_parser("send", help="send a test mail to the incoming endpoint")
    send.add_argument("--to", required=True)
    send.add_argument("--subject", required=True)
    send.add_argument("--body", required=True)
    send.add_argument("--from", dest="sender", default="hanako.tanaka@example.ne.jp")
    send.add_argument("--from-name", dest="sender_name", default="田中 花子")
    send.add_argument("--charset", choices=client.CHARSETS, default="utf-8")
    send.add_argument("--in-reply-to")
    commands.add_parser("sent", help="list the mail the helpdesk sent (the sink)")
    args = parser.parse_args()
    settings = MailServerSettings()
    if args.command == "send":
        raw = client.compose_test_mail(
            to=args.to,
            subject=args.subject,
            body=args.body,
            sender=args.sender,
            sender_name=args.sender_name,
            charset=args.charset,
            in_reply_to=args.in_reply_to,
        )
        port = int(os.environ.get("MAIL_SMTP_PORT", settings.smtp_port))
        client.send(raw, host=settings.host, port=port, mail_from=args.sender, rcpt_tos=[args.to])
        print(f"Sent to {args.to} via {settings.host}:{port}")
        return
    if args.command == "sent":
        port = int(os.environ.get("MAIL_CONTROL_PORT", settings.control_port))
        response = httpx.get(f"http://{settings.host}:{port}/control/sent", timeout=5)
        response.raise_for_status()
        json.dump(response.json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
