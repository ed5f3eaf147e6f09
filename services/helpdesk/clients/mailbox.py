"""The helpdesk's mailbox over IMAP (implicit TLS, port 993): new mail as raw bytes, woken by
IDLE (RFC 2177) where the server has it, by polling where it does not.

imapclient is synchronous, so each call runs in a worker thread, one at a time per mailbox (an
IMAP connection is one conversation). Mail is read with BODY.PEEK and flagged \\Seen only when
the caller says it has kept it (`mark_seen`): a reader that dies between the two reads the
same mail again, and the caller recognises it by (UIDVALIDITY, UID) and Message-ID.

The password is an app password (Gmail, Microsoft 365 and the Japanese providers give one per
application when two-step sign-in is on) from the environment, never from a file in the repo.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from services.helpdesk.clients.tls import client_context

_T = TypeVar("_T")
# How often a thread waiting in IDLE looks up to see whether the mailbox is being closed.
_IDLE_SLICE_SECONDS = 1.0


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    username: str
    password: str
    folder: str = "INBOX"
    ca_file: str | None = None
    timeout_seconds: float = 30.0
    use_idle: bool = True
    # RFC 2177: a client re-issues IDLE at least every 29 minutes; providers drop it sooner.
    idle_seconds: float = 300.0
    poll_seconds: float = 60.0
    # Mail larger than this is fetched as its header only (the parser then refuses it).
    max_message_bytes: int = 30 * 1024 * 1024


class MailboxError(RuntimeError):
    """The mailbox could not be reached or refused us; `retryable` says whether waiting helps."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class FetchedMail:
    uid: int
    uidvalidity: int
    size: int
    raw: bytes
    # False when the mail was over `max_message_bytes` and only its header was fetched.
    complete: bool


class ImapMailbox:
    def __init__(self, config: ImapConfig) -> None:
        self.config = config
        self._client: IMAPClient | None = None
        self._uidvalidity = 0
        self._lock = asyncio.Lock()
        self._closing = threading.Event()
        # Set while the server has accepted IDLE (its "+ idling"): mail arriving now is told.
        self.idling = threading.Event()

    @property
    def uidvalidity(self) -> int:
        return self._uidvalidity

    async def _run(self, call: Callable[[], _T]) -> _T:
        async with self._lock:
            try:
                return await asyncio.to_thread(call)
            except LoginError as exc:
                self._drop()
                raise MailboxError("IMAP login refused", retryable=False) from exc
            except ssl.SSLCertVerificationError as exc:
                self._drop()
                raise MailboxError(
                    f"IMAP server certificate refused: {exc}", retryable=False
                ) from exc
            except (OSError, IMAPClientError, imaplib.IMAP4.abort) as exc:
                self._drop()
                raise MailboxError(f"IMAP failed: {exc}", retryable=True) from exc

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError):
                client.shutdown()

    def _connected(self) -> IMAPClient:
        if self._client is None:
            config = self.config
            client = IMAPClient(
                config.host,
                port=config.port,
                ssl=True,
                ssl_context=client_context(config.ca_file),
                timeout=config.timeout_seconds,
            )
            try:
                client.login(config.username, config.password)
                selected = client.select_folder(config.folder)
            except BaseException:
                client.shutdown()
                raise
            self._uidvalidity = int(selected[b"UIDVALIDITY"])
            self._client = client
        return self._client

    async def connect(self) -> None:
        await self._run(self._connected)

    async def capabilities(self) -> tuple[bytes, ...]:
        return await self._run(lambda: tuple(self._connected().capabilities()))

    def _unseen(self) -> list[int]:
        client = self._connected()
        # A server need not look at the mailbox again for SEARCH (Dovecot does not): NOOP is
        # RFC 3501's way to poll, and without it a connection kept open between polls never
        # sees mail that arrived after it last synchronised.
        client.noop()
        return sorted(int(uid) for uid in client.search(["UNSEEN"]))

    async def unseen(self) -> list[int]:
        """UIDs of the mail not yet flagged \\Seen, oldest first (mail arrived since included)."""
        return await self._run(self._unseen)

    def _fetch(self, uids: Sequence[int]) -> list[FetchedMail]:
        client = self._connected()
        if not uids:
            return []
        sizes: dict[int, Any] = client.fetch(list(uids), ["RFC822.SIZE"])
        small = [
            uid for uid in uids if int(sizes[uid][b"RFC822.SIZE"]) <= self.config.max_message_bytes
        ]
        large = [uid for uid in uids if uid in sizes and uid not in small]
        bodies: dict[int, Any] = client.fetch(small, ["BODY.PEEK[]"]) if small else {}
        headers: dict[int, Any] = client.fetch(large, ["BODY.PEEK[HEADER]"]) if large else {}
        found = []
        for uid in uids:
            if uid in bodies:
                raw, complete = bytes(bodies[uid][b"BODY[]"]), True
            elif uid in headers:
                raw, complete = bytes(headers[uid][b"BODY[HEADER]"]), False
            else:
                continue  # expunged meanwhile
            found.append(
                FetchedMail(
                    uid=uid,
                    uidvalidity=self._uidvalidity,
                    size=int(sizes[uid][b"RFC822.SIZE"]),
                    raw=raw,
                    complete=complete,
                )
            )
        return found

    async def fetch(self, uids: Sequence[int]) -> list[FetchedMail]:
        """The mail with these UIDs, without flagging it \\Seen."""
        return await self._run(lambda: self._fetch(list(uids)))

    async def mark_seen(self, uids: Sequence[int]) -> None:
        """Flag mail the caller has kept, so it is not read again."""
        if uids:
            await self._run(
                lambda: self._connected().add_flags(list(uids), [b"\\Seen"], silent=True)
            )

    def _idle(self, seconds: float) -> bool:
        client = self._connected()
        client.idle()
        self.idling.set()
        changed = False
        try:
            deadline = time.monotonic() + seconds
            while not self._closing.is_set() and time.monotonic() < deadline:
                responses = client.idle_check(timeout=min(_IDLE_SLICE_SECONDS, seconds))
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    changed = True
                    break
        finally:
            self.idling.clear()
            client.idle_done()
        return changed

    async def wait_for_mail(self) -> bool:
        """Until the server says something arrived (IDLE) or a poll interval passed; True when
        IDLE reported new mail (a poll returns False: look anyway)."""
        if self.config.use_idle and b"IDLE" in await self.capabilities():
            return await self._run(lambda: self._idle(self.config.idle_seconds))
        await asyncio.sleep(self.config.poll_seconds)
        return False

    async def close(self) -> None:
        self._closing.set()
        async with self._lock:
            client, self._client = self._client, None
            if client is not None:
                try:
                    await asyncio.to_thread(client.logout)
                except (TimeoutError, OSError, IMAPClientError, imaplib.IMAP4.abort):
                    client.shutdown()
