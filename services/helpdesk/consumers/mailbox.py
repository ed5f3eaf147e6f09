"""The mail intake: the helpdesk's mailbox read into tickets, for as long as the service runs.

Each round takes every unseen mail, oldest first, and flags it \\Seen only once its intake has
committed: a process killed in between reads the mail again, and the intake log recognises it
(a duplicate changes nothing). Between rounds the reader waits in IDLE, or polls. A mail whose
intake fails (our own error) stays unseen, is counted and logged with its traceback (the
exceptions by type only: their messages may quote the mail), and is tried again next round,
up to `max_attempts` times counted in mongod (restarts count): then it is given up, recorded
`failed` in the intake log, flagged \\Seen and counted as given up, so one broken mail does
not cost every round for ever. The mailbox being down is retried after a pause.

Nothing of the mail's content or addresses is logged: the UID, the decision and the ticket id.
"""

from __future__ import annotations

import asyncio
import contextlib

from services.common.logging import get_logger, traceback_without_messages
from services.helpdesk.clients.mailbox import FetchedMail, ImapMailbox, MailboxError
from services.helpdesk.domain.mail.intake import Action
from services.helpdesk.metrics import MAIL_ERRORS, MAIL_IGNORED, MAIL_RECEIVED
from services.helpdesk.usecases.mail_intake import MailIntake, Taken

log = get_logger(__name__)

# After the mailbox failed: soon when waiting may help (a network blip), slowly when it will
# not without someone changing a setting (a refused login, a certificate).
RETRY_SECONDS = 5.0
REFUSED_RETRY_SECONDS = 300.0
# Failed intakes of one mail before it is given up: enough for a passing fault (mongod failing
# over) to pass, few enough that a mail that always breaks the intake stops costing every round.
MAX_ATTEMPTS = 5


def count(taken: Taken) -> None:
    decision = taken.decision
    MAIL_RECEIVED.labels(decision.action.value).inc()
    if decision.action is Action.IGNORE and decision.ignored_kind is not None:
        MAIL_IGNORED.labels(decision.ignored_kind.value).inc()
    elif decision.action is Action.REFUSE and decision.refusal is not None:
        MAIL_IGNORED.labels(decision.refusal.value).inc()


class MailReader:
    def __init__(
        self, *, mailbox: ImapMailbox, intake: MailIntake, max_attempts: int = MAX_ATTEMPTS
    ) -> None:
        self._mailbox = mailbox
        self._intake = intake
        self._max_attempts = max_attempts
        self._task: asyncio.Task[None] | None = None

    async def round(self) -> int:
        """Take every unseen mail once; how many were taken (duplicates included)."""
        taken = 0
        for fetched in await self._mailbox.fetch(await self._mailbox.unseen()):
            if await self._intake.given_up(fetched):
                # Given up on before, and the process stopped before flagging it.
                await self._mailbox.mark_seen([fetched.uid])
                continue
            try:
                result = await self._intake.take(fetched)
            except Exception as exc:
                await self._failed(fetched, exc)
                continue
            count(result)
            log.info(
                "mail taken",
                uid=fetched.uid,
                action=result.decision.action.value,
                reason=result.decision.reason,
                ticket_id=result.ticket_id,
            )
            await self._mailbox.mark_seen([fetched.uid])
            taken += 1
        return taken

    async def _failed(self, fetched: FetchedMail, exc: Exception) -> None:
        MAIL_ERRORS.labels("intake").inc()
        # Not `log.exception`: the message of an error raised while parsing or taking a mail
        # may quote it (a pydantic ValidationError echoes its input).
        fields = {
            "uid": fetched.uid,
            "error_type": type(exc).__name__,
            "exception": traceback_without_messages(exc),
        }
        attempts, given_up = await self._intake.failed(
            fetched, error_type=type(exc).__name__, give_up_after=self._max_attempts
        )
        if not given_up:
            log.error("mail intake failed; the mail stays unseen", attempts=attempts, **fields)
            return
        MAIL_ERRORS.labels("given_up").inc()
        log.error(
            "mail intake failed too often; given up and flagged seen",
            attempts=attempts,
            **fields,
        )
        await self._mailbox.mark_seen([fetched.uid])

    async def run(self) -> None:
        while True:
            try:
                await self.round()
                await self._mailbox.wait_for_mail()
            except MailboxError as exc:
                MAIL_ERRORS.labels("mailbox").inc()
                log.warning("mailbox unavailable", error=str(exc), retryable=exc.retryable)
                await asyncio.sleep(RETRY_SECONDS if exc.retryable else REFUSED_RETRY_SECONDS)
            except Exception as exc:
                # The intake log unreachable (mongod down): the round is taken again later,
                # rather than the reader ending with nothing said.
                MAIL_ERRORS.labels("intake").inc()
                log.error(
                    "mail round failed",
                    error_type=type(exc).__name__,
                    exception=traceback_without_messages(exc),
                )
                await asyncio.sleep(RETRY_SECONDS)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="mail-intake")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._mailbox.close()
