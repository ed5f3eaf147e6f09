"""The local mail parts: the aiosmtpd server (tools.mail_server: incoming SMTP, the submission
sink, the control page) and Debian's Dovecot serving the helpdesk's mailbox over IMAPS.

Dovecot runs unprivileged with a configuration of its own in the state folder (never
/etc/dovecot): one user from a passwd-file, a static userdb whose home is the mailbox folder,
implicit TLS only, with the same self-signed certificate as the SMTP server. As root, Dovecot will
not run mail or login processes as root, so the mailbox folder is handed to Debian's `dovecot`
user (and logins to `dovenull`); the SMTP server, also root, still writes messages into it.
"""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import ssl
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.devstack.processes import ManagedProcess
from tools.mail_server import store
from tools.mail_server.tls import client_context, ensure_certificate

DOVECOT = "/usr/sbin/dovecot"
MAIL_ADDRESS = "soudan@helpdesk.example.jp"
MAIL_USERNAME = "helpdesk"
# Development and tests only, like the demo staff accounts.
MAIL_PASSWORD = "helpdesk-mail-demo-pass"  # noqa: S105


class MailStartupError(RuntimeError):
    pass


@dataclass(frozen=True)
class MailPorts:
    smtp: int
    submission: int
    control: int
    imap: int


@dataclass(frozen=True)
class MailPaths:
    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def maildir(self) -> Path:
        return self.home / "Maildir"

    @property
    def sink(self) -> Path:
        return self.root / "sent"

    @property
    def certificate(self) -> Path:
        return self.root / "tls" / "cert.pem"

    @property
    def private_key(self) -> Path:
        return self.root / "tls" / "key.pem"

    @property
    def dovecot(self) -> Path:
        return self.root / "dovecot"


def mail_server_env(paths: MailPaths, ports: MailPorts) -> dict[str, str]:
    return {
        "MAIL_SERVER_HOST": "127.0.0.1",
        "MAIL_SERVER_SMTP_PORT": str(ports.smtp),
        "MAIL_SERVER_SUBMISSION_PORT": str(ports.submission),
        "MAIL_SERVER_CONTROL_PORT": str(ports.control),
        "MAIL_SERVER_IMAP_PORT": str(ports.imap),
        "MAIL_SERVER_MAILBOX_DIR": str(paths.home),
        "MAIL_SERVER_SINK_DIR": str(paths.sink),
        "MAIL_SERVER_CERTIFICATE": str(paths.certificate),
        "MAIL_SERVER_PRIVATE_KEY": str(paths.private_key),
        "MAIL_SERVER_LOCAL_ADDRESSES": MAIL_ADDRESS,
        "MAIL_SERVER_USERNAME": MAIL_USERNAME,
        "MAIL_SERVER_PASSWORD": MAIL_PASSWORD,
    }


def helpdesk_mail_env(paths: MailPaths, ports: MailPorts) -> dict[str, str]:
    """The helpdesk's mail settings pointing at the local servers."""
    return {
        "HELPDESK_MAIL_ADDRESS": MAIL_ADDRESS,
        "HELPDESK_MAIL_IMAP_HOST": "127.0.0.1",
        "HELPDESK_MAIL_IMAP_PORT": str(ports.imap),
        "HELPDESK_MAIL_IMAP_USERNAME": MAIL_USERNAME,
        "HELPDESK_MAIL_IMAP_PASSWORD": MAIL_PASSWORD,
        "HELPDESK_MAIL_SMTP_HOST": "127.0.0.1",
        "HELPDESK_MAIL_SMTP_PORT": str(ports.submission),
        "HELPDESK_MAIL_SMTP_USERNAME": MAIL_USERNAME,
        "HELPDESK_MAIL_SMTP_PASSWORD": MAIL_PASSWORD,
        "HELPDESK_MAIL_TLS_CA_FILE": str(paths.certificate),
    }


def _accounts() -> tuple[str, str, str, int, int]:
    """(internal user, its group, login user, mail uid, mail gid) for Dovecot's processes."""
    if os.geteuid() == 0:
        try:
            internal = pwd.getpwnam("dovecot")
            pwd.getpwnam("dovenull")
        except KeyError as exc:
            raise MailStartupError(
                "Debian's dovecot-core creates the users dovecot and dovenull; install it with "
                "scripts/install-system-packages"
            ) from exc
        group = grp.getgrgid(internal.pw_gid).gr_name
        return "dovecot", group, "dovenull", internal.pw_uid, internal.pw_gid
    me = pwd.getpwuid(os.geteuid())
    group = grp.getgrgid(os.getegid()).gr_name
    return me.pw_name, group, me.pw_name, me.pw_uid, os.getegid()


def render_dovecot_config(paths: MailPaths, port: int) -> str:
    internal, group, login, uid, gid = _accounts()
    state = paths.dovecot
    return f"""# Written by tools/devstack/mail.py for the local stack; not a production configuration.
base_dir = {state / "run"}
state_dir = {state / "state"}
log_path = /dev/stderr
protocols = imap
listen = 127.0.0.1
first_valid_uid = {uid}
last_valid_uid = {uid}
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
ssl = required
ssl_cert = <{paths.certificate}
ssl_key = <{paths.private_key}
auth_mechanisms = plain login
disable_plaintext_auth = yes
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {state / "users"}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={paths.home}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def prepare(paths: MailPaths) -> None:
    """Certificate, mailbox and sink, before either server starts (both need them)."""
    ensure_certificate(paths.certificate, paths.private_key)
    store.prepare_maildir(paths.maildir)
    store.prepare_maildir(paths.sink)
    if os.geteuid() == 0:
        _, _, _, uid, gid = _accounts()
        for folder in paths.home.parents:
            if not folder.stat().st_mode & 0o001:
                raise MailStartupError(
                    f"Dovecot's mail processes (user dovecot) cannot reach {paths.home}: "
                    f"{folder} is closed to other users; use a state folder they can traverse"
                )
        # Dovecot's mail processes move and flag files (renames in these folders).
        for folder in (paths.home, paths.maildir, *(paths.maildir / d for d in store.SUBDIRS)):
            os.chown(folder, uid, gid)


class DovecotNode:
    def __init__(
        self, *, paths: MailPaths, port: int, run_dir: Path, die_with_parent: bool = False
    ) -> None:
        self.paths = paths
        self.port = port
        self._config = paths.dovecot / "dovecot.conf"
        self.process = ManagedProcess(
            name="dovecot",
            argv=[DOVECOT, "-F", "-c", str(self._config)],
            env={},
            run_dir=run_dir,
            die_with_parent=die_with_parent,
        )

    def start(self) -> None:
        if not Path(DOVECOT).exists() or not Path("/usr/lib/dovecot/imap").exists():
            raise MailStartupError(
                "Dovecot is needed for the local IMAP mailbox; install it with "
                "scripts/install-system-packages (Debian package dovecot-imapd)"
            )
        for folder in ("run", "state"):
            (self.paths.dovecot / folder).mkdir(parents=True, exist_ok=True)
        users = self.paths.dovecot / "users"
        users.write_text(f"{MAIL_USERNAME}:{{PLAIN}}{MAIL_PASSWORD}\n")
        users.chmod(0o600)
        if os.geteuid() == 0:
            # Read by Dovecot's auth worker, which runs as its internal user.
            _, _, _, uid, gid = _accounts()
            os.chown(users, uid, gid)
        self._config.write_text(render_dovecot_config(self.paths, self.port))
        self.process.start()

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Ready when an IMAPS connection gets Dovecot's greeting over verified TLS."""
        context: ssl.SSLContext = client_context(self.paths.certificate)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if not self.process.running():
                raise MailStartupError(f"Dovecot exited during startup:\n{self.process.log_tail()}")
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(
                        "127.0.0.1", self.port, ssl=context, server_hostname="127.0.0.1"
                    ),
                    timeout=2.0,
                )
                greeting = await asyncio.wait_for(reader.readline(), timeout=2.0)
                writer.close()
                if greeting.startswith(b"* OK"):
                    return
            except (OSError, TimeoutError):
                pass
            if loop.time() > deadline:
                raise MailStartupError(
                    f"Dovecot was not ready within {timeout:.0f}s:\n{self.process.log_tail()}"
                )
            await asyncio.sleep(0.2)


def mail_server_process(run_dir: Path, *, die_with_parent: bool) -> ManagedProcess:
    return ManagedProcess(
        name="mail_server",
        argv=[sys.executable, "-m", "tools.mail_server"],
        env={},
        run_dir=run_dir,
        die_with_parent=die_with_parent,
    )
