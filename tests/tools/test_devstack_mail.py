"""The devstack starts the mail parts like the others: their own ports, readiness, the
helpdesk's mail settings pointing at them, and stopped with the rest."""

from __future__ import annotations

from pathlib import Path

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
