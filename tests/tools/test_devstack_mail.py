"""The devstack starts the mail parts like the others: their own ports, readiness, the
helpdesk's mail settings pointing at them, and stopped with the rest."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from services.helpdesk.clients.mailbox import ImapConfig, ImapMailbox
from tests.fixtures.mail import traversable_temp_dir
from tools.devstack import mail
from tools.devstack.stack import Stack, StackConfig


def test_a_stack_with_mail_runs_the_mail_server_and_dovecot_on_its_ports(tmp_path: Path) -> None:
    stack = Stack(StackConfig.isolated(tmp_path, with_mail=True))
    ports = stack.config.ports
    assert "mail_server" in stack.apps
    assert stack.dovecot is not None
    assert stack.dovecot.process in stack.processes()
    env = stack.service_env()
    assert env["MAIL_SERVER_SMTP_PORT"] == str(ports["mail_smtp"])
    assert env["MAIL_SERVER_SUBMISSION_PORT"] == str(ports["mail_submission"])
    assert env["HELPDESK_MAIL_IMAP_PORT"] == str(ports["mail_imap"])
    assert env["HELPDESK_MAIL_SMTP_PORT"] == str(ports["mail_submission"])
    assert env["HELPDESK_MAIL_TLS_CA_FILE"] == str(tmp_path / "mail" / "tls" / "cert.pem")
    assert stack.readiness_url("mail_server") == (
        f"http://127.0.0.1:{ports['mail_control']}/control/health"
    )
    config = mail.render_dovecot_config(stack.mail_paths, ports["mail_imap"])
    assert f"port = {ports['mail_imap']}" in config
    assert "ssl = required" in config
    assert "/etc/dovecot" not in config


def test_test_stacks_leave_mail_out_unless_asked(tmp_path: Path) -> None:
    stack = Stack(StackConfig.isolated(tmp_path))
    assert "mail_server" not in stack.apps
    assert stack.dovecot is None
    assert "HELPDESK_MAIL_IMAP_HOST" not in stack.service_env()


def test_make_run_has_mail_unless_switched_off() -> None:
    assert StackConfig.from_environment({}).with_mail
    assert not StackConfig.from_environment({"SSLP_WITH_MAIL": "0"}).with_mail


async def test_the_devstack_starts_the_mail_parts_and_the_send_command_reaches_them() -> None:
    with traversable_temp_dir() as root:
        stack = Stack(StackConfig.isolated(root, with_mail=True))
        try:
            await stack.start_mailbox()
            stack.launch_apps(["mail_server"])
            await stack.wait_app_ready("mail_server", timeout=30)
            env = {**os.environ, **stack.service_env()}
            env["MAIL_SMTP_PORT"] = str(stack.mail_ports.smtp)
            env["MAIL_CONTROL_PORT"] = str(stack.mail_ports.control)
            command = [sys.executable, "-m", "tools.mail_server"]
            sent = await asyncio.to_thread(
                subprocess.run,
                [
                    *command,
                    "send",
                    "--to",
                    mail.MAIL_ADDRESS,
                    "--subject",
                    "テスト",
                    "--body",
                    "本文",
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
            assert "Sent to soudan@helpdesk.example.jp" in sent.stdout
            config = ImapConfig(
                host="127.0.0.1",
                port=stack.mail_ports.imap,
                username=mail.MAIL_USERNAME,
                password=mail.MAIL_PASSWORD,
                ca_file=str(stack.mail_paths.certificate),
            )
            mailbox = ImapMailbox(config)
            try:
                [fetched] = await mailbox.fetch(await mailbox.unseen())
            finally:
                await mailbox.close()
            assert b"Subject: =?utf-8?b?" in fetched.raw
            listed = await asyncio.to_thread(
                subprocess.run,
                [*command, "sent"],
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
            assert json.loads(listed.stdout) == []
        finally:
            stack.stop()
        assert stack.dovecot is not None
        assert not stack.dovecot.process.running()
        assert not stack.apps["mail_server"].running()
