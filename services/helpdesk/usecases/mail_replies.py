"""Sending staff replies by mail: the outbox's due replies, one claimed at a time, built by
`domain.mail.compose` (the same message on every attempt, its Message-ID from the reply id) and
submitted over SMTP.

A reply recorded once is staged once (the outbox's id is the reply's), so a reply submitted
twice mails once; a temporary refusal (4xx, a lost connection) is tried again later with a
growing pause, the same mail; a refusal (5xx) or `MAX_ATTEMPTS` temporary ones mark it failed
and say so on the ticket, in Japanese, for staff. The one window left is a sender killed after
the server accepted the mail and before it is marked sent: restarted under the same
INSTANCE_ID (or another instance after the lease) it sends the reply again, with the same
Message-ID, which mailers show as one mail.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from functools import partial

from services.common.logging import get_logger
from services.common.store import MongoStore, Tx
from services.common.time import utcnow
from services.common.usecases import commit
from services.helpdesk.clients.submission import SmtpConfig, SubmissionError
from services.helpdesk.domain.change import TicketRules
from services.helpdesk.domain.mail.compose import MailIdentity, build_reply
from services.helpdesk.domain.mail.model import MailAddress
from services.helpdesk.domain.parts import MailReply
from services.helpdesk.metrics import MAIL_REPLIES
from services.helpdesk.store import MailOutbox, TicketRepository
from services.helpdesk.usecases.changes import TicketUseCase

log = get_logger(__name__)

Submit = Callable[..., Awaitable[None]]

MAX_ATTEMPTS = 8
FIRST_PAUSE = timedelta(seconds=30)
# Longer than one submission can take (the SMTP timeout), so two senders never hold one reply.
LEASE = timedelta(minutes=2)


def message_of(reply: MailReply, identity: MailIdentity) -> EmailMessage:
    return build_reply(
        reply_id=reply.reply_id,
        identity=identity,
        to=MailAddress(reply.to),
        body=reply.body,
        subject=reply.subject,
        recorded_at=reply.recorded_at,
        parent_message_id=reply.parent_message_id,
        parent_references=reply.parent_references,
        ticket_ref=reply.ticket_ref,
    )


def pause_after(attempts: int) -> timedelta:
    """30 s, 1, 2, 4 … minutes: about two hours over `MAX_ATTEMPTS`."""
    return FIRST_PAUSE * int(2 ** max(attempts - 1, 0))


class MailReplies(TicketUseCase):
    def __init__(
        self,
        *,
        store: MongoStore,
        tickets: TicketRepository,
        rules: TicketRules,
        outbox: MailOutbox,
        identity: MailIdentity,
        smtp: SmtpConfig,
        submit: Submit,
        instance_id: str,
    ) -> None:
        super().__init__(store=store, tickets=tickets, rules=rules)
        self._instance_id = instance_id
        self._outbox = outbox
        self._identity = identity
        self._smtp = smtp
        self._submit = submit

    async def take_back_held(self) -> int:
        """At start-up, once, before the first `send_due`: the replies this INSTANCE_ID held when
        its previous process died are due at once instead of waiting out their lease (the
        process that held them is gone: this one has its name). How many were taken back."""
        released = await self._outbox.release_held_by(self._instance_id, now=utcnow())
        if released:
            log.info("mail replies taken back after a restart", count=released)
        return released

    async def send_due(self) -> int:
        """Send every reply now due; how many were tried."""
        tried = 0
        while (
            due := await self._outbox.claim(now=utcnow(), lease=LEASE, holder=self._instance_id)
        ) is not None:
            await self._send(due.reply, attempts=due.attempts + 1)
            tried += 1
        return tried

    async def _send(self, reply: MailReply, *, attempts: int) -> None:
        message = message_of(reply, self._identity)
        recipients: Sequence[str] = [reply.to]
        try:
            await self._submit(
                self._smtp, message, sender=self._identity.address, recipients=recipients
            )
        except SubmissionError as exc:
            # Kept on the outbox entry (the helpdesk's own store of personal data), never logged:
            # mail servers' refusals quote the recipient's address.
            error = str(exc)
            if exc.retryable and attempts < MAX_ATTEMPTS:
                MAIL_REPLIES.labels("retried").inc()
                log.warning("mail reply not accepted yet", reply_id=reply.reply_id, code=exc.code)
                await self._outbox.later(
                    reply.reply_id, at=utcnow() + pause_after(attempts), error=error
                )
                return
            outcome = "mail_gave_up" if exc.retryable else "mail_refused"
            MAIL_REPLIES.labels("failed").inc()
            log.warning("mail reply failed", reply_id=reply.reply_id, code=exc.code)
            await commit(
                self._store,
                partial(self._failed, reply=reply, outcome=outcome, error=error, at=utcnow()),
            )
            return
        await self._outbox.sent(reply.reply_id, at=utcnow())
        MAIL_REPLIES.labels("sent").inc()
        log.info("mail reply sent", reply_id=reply.reply_id, ticket_id=reply.ticket_id)

    async def _failed(
        self, tx: Tx, *, reply: MailReply, outcome: str, error: str, at: datetime
    ) -> None:
        await self._outbox.failed(tx, reply.reply_id, at=at, error=error)
        ticket = await self._tickets.get(reply.ticket_id, tx)
        if ticket is not None:
            change = ticket.reply_not_delivered(
                self._rules, reply_id=reply.reply_id, outcome=outcome, at=at
            )
            await self._write(tx, change)
