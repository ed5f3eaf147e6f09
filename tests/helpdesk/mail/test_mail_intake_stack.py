"""Mail into tickets on the real parts: mail sent over SMTP to the devstack's aiosmtpd endpoint,
delivered into Dovecot's mailbox, read over IMAPS by the helpdesk's reader (as the service
starts it from the HELPDESK_MAIL_* settings) and committed to a real mongod: a new mail opens
an e-mail ticket, a reply joins it and reopens it once resolved, an emergency is urgent, an
auto-reply makes none, and a mail read again (a crash before \\Seen) is one entry. Staff replies
go out through the real submission port into its sink: once, with threading headers, when
submitted twice and retried; a refusal shows on the ticket."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, TypeVar

import pytest
import structlog
from prometheus_client import REGISTRY
from pydantic import TypeAdapter

from services.common.events.contracts.helpdesk import Priority, TicketStatus
from services.common.logging import drop_personal_fields
from services.common.store import MongoStore
from services.common.time import utcnow
from services.helpdesk.app import mail_intake
from services.helpdesk.clients.mailbox import FetchedMail, ImapMailbox
from services.helpdesk.clients.submission import SmtpConfig, SubmissionError, submit
from services.helpdesk.consumers import mailbox as mailbox_consumer
from services.helpdesk.consumers.mailbox import MailReader
from services.helpdesk.domain import texts
from services.helpdesk.domain.mail.intake import Action
from services.helpdesk.domain.mail.model import MailLimits
from services.helpdesk.domain.mail.parsing import parse_mail
from services.helpdesk.domain.mail.threading import reply_message_id
from services.helpdesk.domain.tickets import Category, Channel
from services.helpdesk.settings import HelpdeskSettings
from services.helpdesk.store import MailIntakeLog, MailOutbox, TicketRepository
from services.helpdesk.store.mail import COLLECTION as MAIL_LOG
from services.helpdesk.usecases import mail_replies as mail_replies_usecase
from services.helpdesk.usecases.mail_intake import MailIntake, Taken
from services.helpdesk.usecases.mail_replies import MailReplies
from services.helpdesk.usecases.opening import Opening
from services.helpdesk.usecases.staff import StaffWork
from tests.fixtures.mail import LocalMail
from tests.fixtures.waiting import eventually
from tests.helpdesk.domain.builders import RULES, TANAKA
from tools.devstack.stack import Stack
from tools.mail_server import client

FAMILY = "hanako.tanaka@example.ne.jp"
T = TypeVar("T")


async def rounds_until(
    reader: MailReader, done: Callable[[], Awaitable[T]], *, rounds: int = 20
) -> T:
    """Reader rounds until `done()` is truthy (at most `rounds`, 0.1 s apart); its last answer.
    The SMTP endpoint has written the mail into the Maildir before it answers and Dovecot lists
    it at once, so a few rounds suffice."""
    for _ in range(rounds):
        await reader.round()
        if found := await done():
            return found
        await asyncio.sleep(0.1)
    return await done()


def _settings(servers: LocalMail) -> HelpdeskSettings:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in servers.helpdesk_env().items():
            patch.setenv(name, value)
        # Polling, not IDLE: each test takes its rounds itself.
        patch.setenv("HELPDESK_MAIL_IMAP_IDLE", "false")
        settings = HelpdeskSettings()
    settings.check_startup()
    return settings


class Desk:
    def __init__(self, store: MongoStore, servers: LocalMail) -> None:
        self.store = store
        self.servers = servers
        self.settings = _settings(servers)
        self.tickets = TicketRepository(store)
        self.opening = Opening(store=store, tickets=self.tickets, rules=RULES)
        self.staff = StaffWork(store=store, tickets=self.tickets, rules=RULES)
        reader = mail_intake(
            self.settings, store=store, tickets=self.tickets, rules=RULES, opening=self.opening
        )
        assert reader is not None
        self.reader = reader
        self.mailbox = ImapMailbox(self.settings.imap_config())
        self.intake = MailIntake(
            store=store,
            tickets=self.tickets,
            rules=RULES,
            opening=self.opening,
            log=MailIntakeLog(store),
            policy=self.settings.mail_intake_policy(),
            limits=MailLimits(),
        )

    def send(self, raw: bytes) -> str:
        """Send `raw` over SMTP to the helpdesk's address; its Message-ID."""
        client.send(
            raw,
            host="127.0.0.1",
            port=self.servers.ports.smtp,
            mail_from=FAMILY,
            rcpt_tos=[self.servers.address],
        )
        return str(message_from_bytes(raw)["Message-ID"])

    def compose(self, body: str, *, subject: str = "", **fields: Any) -> bytes:
        return client.compose_test_mail(
            to=self.servers.address,
            subject=subject or f"母のタブレット {uuid.uuid4().hex[:8]}",
            body=body,
            sender=FAMILY,
            **fields,
        )

    async def take_until(self, message_id: str) -> dict[str, Any]:
        """Reader rounds until the ticket the mail made or joined shows it."""
        found = await rounds_until(
            self.reader,
            lambda: self.store.collection("tickets").find_one({"mail_message_ids": message_id}),
        )
        if found is None:
            logged = await self.store.collection(MAIL_LOG).find().to_list()
            raise AssertionError(f"no ticket took {message_id}; the intake log: {logged}")
        return found

    async def fetched(self, message_id: str) -> FetchedMail | None:
        for fetched in await self.mailbox.fetch(await self.mailbox.unseen()):
            if parse_mail(fetched.raw).message_id == message_id:
                return fetched
        return None


@pytest.fixture
async def desk(infra: Stack, mail_servers: LocalMail) -> AsyncIterator[Desk]:
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid.uuid4().hex[:10]}", app_name="t")
    await store.ensure_indexes(
        [*TicketRepository.indexes(), MailIntakeLog.indexes(retention=timedelta(days=1))]
    )
    desk = Desk(store, mail_servers)
    # Mail other tests left unseen is taken first and forgotten, so each test sees only its own.
    await desk.reader.round()
    for collection in ("tickets", MAIL_LOG, "mail_outbox"):
        await store.collection(collection).delete_many({})
    try:
        yield desk
    finally:
        await desk.reader.stop()
        await desk.mailbox.close()
        await store.drop_database()
        await store.close()


async def test_a_mail_opens_a_ticket_a_reply_joins_and_reopens_it(desk: Desk) -> None:
    first = desk.send(desk.compose("電源が入りません。", charset="iso-2022-jp"))
    opened = await desk.take_until(first)
    assert (opened["channel"], opened["status"]) == (Channel.EMAIL.value, "new")
    assert opened["mail_address"] == FAMILY
    assert opened["thread"][-1]["text"].endswith("電源が入りません。")
    ticket_id = opened["_id"]

    reply = desk.send(desk.compose("充電しても同じです。", in_reply_to=first, charset="shift_jis"))
    joined = await desk.take_until(reply)
    assert joined["_id"] == ticket_id
    assert joined["thread"][-1]["text"].endswith("充電しても同じです。")

    ticket = await desk.tickets.get(ticket_id)
    assert ticket is not None
    resolved = await desk.staff.resolve(
        ticket_id, actor=TANAKA, version=ticket.version, ask_csat=False, closing=False
    )
    assert resolved.status is TicketStatus.RESOLVED
    again = desk.send(desk.compose("やっぱり点きません。", in_reply_to=reply))
    reopened = await desk.take_until(again)
    assert reopened["_id"] == ticket_id
    assert (reopened["status"], reopened["reopened_count"]) == ("open", 1)
    assert await desk.store.collection("tickets").count_documents({}) == 1


async def test_a_mail_read_again_after_a_crash_before_seen_is_one_entry(desk: Desk) -> None:
    message_id = desk.send(desk.compose("画面が割れました。"))
    fetched = await eventually(
        lambda: desk.fetched(message_id), lambda f: f is not None, timeout=2.0, interval=0.1
    )
    assert fetched is not None
    first = await desk.intake.take(fetched)
    assert first.decision.action is Action.NEW_TICKET
    # The process died here, before \Seen: the reader's next round reads the mail again.
    assert await desk.fetched(message_id) is not None
    await desk.reader.round()
    assert await desk.fetched(message_id) is None  # now flagged \Seen
    again = await desk.intake.take(fetched)
    assert again.decision.action is Action.DUPLICATE
    [ticket] = await desk.store.collection("tickets").find().to_list()
    assert [e["kind"] for e in ticket["thread"]] == ["system", "senior"]
    assert await desk.store.collection(MAIL_LOG).count_documents({}) == 1


async def test_an_emergency_in_a_mail_makes_an_urgent_ticket(desk: Desk) -> None:
    message_id = desk.send(desk.compose("父が急に胸が痛いと言って、冷や汗をかいています。"))
    ticket = await desk.take_until(message_id)
    assert (ticket["priority"], ticket["category"]) == (
        Priority.URGENT.value,
        Category.EMERGENCY.value,
    )


async def test_an_auto_reply_makes_no_ticket(desk: Desk) -> None:
    raw = desk.compose("ただいま不在にしております。")
    message_id = desk.send(b"Auto-Submitted: auto-replied\r\n" + raw)
    await rounds_until(
        desk.reader, lambda: desk.store.collection(MAIL_LOG).count_documents({"action": "ignore"})
    )
    [logged] = await desk.store.collection(MAIL_LOG).find().to_list()
    assert logged["action"] == Action.IGNORE.value
    assert logged["ticket_id"] is None
    assert await desk.store.collection("tickets").count_documents({}) == 0
    assert message_id not in str(logged)  # the log keeps a hash, not the mail's ids


class Flaky:
    """The real submission, refused once first (a 4xx, or a 5xx with `code`)."""

    def __init__(self, *, code: int = 451, text: str = "try later") -> None:
        self.code = code
        self.text = text
        self.calls = 0

    async def __call__(self, config: SmtpConfig, message: EmailMessage, **kwargs: Any) -> None:
        self.calls += 1
        if self.calls == 1:
            raise SubmissionError(
                f"{self.code} {self.text}", retryable=self.code < 500, code=self.code
            )
        await submit(config, message, **kwargs)


def _replies(desk: Desk, submitter: Any, *, instance_id: str = "helpdesk-test") -> MailReplies:
    return MailReplies(
        store=desk.store,
        tickets=desk.tickets,
        rules=RULES,
        outbox=MailOutbox(desk.store),
        identity=desk.settings.mail_identity(),
        smtp=desk.settings.smtp_config(),
        submit=submitter,
        instance_id=instance_id,
    )


async def _reply(desk: Desk, ticket_id: str, reply_id: str) -> None:
    ticket = await desk.tickets.get(ticket_id)
    assert ticket is not None
    for _ in range(2):  # submitted twice: a double-click, a retry after a timeout
        await desk.staff.reply(
            ticket_id,
            actor=TANAKA,
            version=ticket.version,
            text="充電器を差して 10 分お待ちください。",
            client_reply_id=reply_id,
            then_wait=True,
        )


async def test_a_staff_reply_arrives_once_with_threading_headers_even_when_retried(
    desk: Desk,
) -> None:
    first = desk.send(desk.compose("電源が入りません。", subject="母のタブレット"))
    ticket = await desk.take_until(first)
    await _reply(desk, ticket["_id"], "reply-mail-1")
    flaky = Flaky()
    replies = _replies(desk, flaky)
    assert await replies.send_due() == 1  # refused with a 4xx: tried again later
    assert flaky.calls == 1
    await desk.store.collection("mail_outbox").update_many({}, {"$set": {"next_at": utcnow()}})
    assert await replies.send_due() == 1
    assert await replies.send_due() == 0  # sent: nothing more to do
    [staged] = await desk.store.collection("mail_outbox").find().to_list()
    assert (staged["state"], staged["attempts"]) == ("sent", 1)
    domain = desk.settings.mail_identity().message_id_domain
    message_id = reply_message_id(staged["_id"], domain)
    [sent] = desk.servers.sent(message_id)
    arrived = message_from_bytes(desk.servers.sent_raw(str(sent["key"])), policy=policy.default)
    assert arrived["In-Reply-To"] == first
    assert str(arrived["Subject"]) == f"Re: 母のタブレット [SSL#{ticket['number']:04d}]"
    assert sent["rcpt_tos"] == [FAMILY]

    # The family answers the reply: it threads back to the ticket.
    answer = desk.send(desk.compose("点きました。", in_reply_to=message_id))
    joined = await desk.take_until(answer)
    assert joined["_id"] == ticket["_id"]


class Killed(Exception):
    """The sender's process dying in the middle of a submission."""


async def test_a_sender_restarted_under_its_instance_id_sends_what_it_held_at_once(
    desk: Desk,
) -> None:
    first = desk.send(desk.compose("電源が入りません。"))
    ticket = await desk.take_until(first)
    await _reply(desk, ticket["_id"], "reply-mail-held")

    async def dies(*_args: Any, **_kwargs: Any) -> None:
        raise Killed

    with pytest.raises(Killed):
        await _replies(desk, dies, instance_id="helpdesk-a").send_due()
    # Another instance starting must still wait for the lease: the holder may be alive.
    other = _replies(desk, submit, instance_id="helpdesk-b")
    assert await other.take_back_held() == 0
    assert await other.send_due() == 0
    # The holder's own INSTANCE_ID starting again means its process is gone: its start-up
    # (the helpdesk's lifespan) takes the reply back, and it is sent at once.
    restarted = _replies(desk, submit, instance_id="helpdesk-a")
    assert await restarted.take_back_held() == 1
    assert await restarted.send_due() == 1
    [staged] = await desk.store.collection("mail_outbox").find().to_list()
    assert staged["state"] == "sent"


async def test_a_refused_reply_is_marked_failed_on_the_ticket(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = logged_lines(monkeypatch, mail_replies_usecase)
    first = desk.send(desk.compose("電源が入りません。"))
    ticket = await desk.take_until(first)
    await _reply(desk, ticket["_id"], "reply-mail-2")
    # Mail servers' refusals quote the recipient: the text stays out of the log.
    refusing = Flaky(code=550, text=f"<{FAMILY}>: mailbox unavailable")
    assert await _replies(desk, refusing).send_due() == 1
    assert FAMILY not in out.getvalue()
    assert '"code": 550' in out.getvalue()
    [staged] = await desk.store.collection("mail_outbox").find().to_list()
    assert staged["state"] == "failed"
    after = await desk.tickets.get(ticket["_id"])
    assert after is not None
    assert after.thread[-1].text == texts.REPLY_NOT_DELIVERED["mail_refused"]
    assert await _replies(desk, refusing).send_due() == 0  # never tried again


class QuotingIntake(MailIntake):
    """The real intake with a bug that puts the mail into its error, as pydantic does: a
    ValidationError's message echoes the input it refused."""

    def __init__(self, desk: Desk) -> None:
        super().__init__(
            store=desk.store,
            tickets=desk.tickets,
            rules=RULES,
            opening=desk.opening,
            log=MailIntakeLog(desk.store),
            policy=desk.settings.mail_intake_policy(),
            limits=MailLimits(),
        )
        self.calls = 0

    async def taken(self) -> int:
        """How many times the intake was given a mail (a probe for `rounds_until`)."""
        return self.calls

    async def take(self, fetched: FetchedMail) -> Taken:
        self.calls += 1
        mail = parse_mail(fetched.raw)
        TypeAdapter(int).validate_python(f"{mail.sender} {mail.subject} {mail.text}")
        raise AssertionError("the text is not a number")


def logged_lines(monkeypatch: pytest.MonkeyPatch, module: Any = None) -> io.StringIO:
    """The mail reader's log (or `module`'s), rendered as the services render it (JSON, exc_info
    formatted)."""
    out = io.StringIO()
    monkeypatch.setattr(
        module or mailbox_consumer,
        "log",
        structlog.wrap_logger(
            structlog.PrintLogger(out),
            processors=[
                structlog.processors.add_log_level,
                drop_personal_fields,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
            wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        ),
    )
    return out


async def test_a_failing_intake_logs_its_traceback_but_nothing_of_the_mail(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = logged_lines(monkeypatch)
    body = "母の年金番号は1234-567890です。"
    subject = f"年金の件 {uuid.uuid4().hex[:8]}"
    message_id = desk.send(desk.compose(body, subject=subject))
    intake = QuotingIntake(desk)
    reader = MailReader(mailbox=ImapMailbox(desk.settings.imap_config()), intake=intake)
    try:
        await rounds_until(reader, intake.taken)
    finally:
        await reader.stop()
    assert intake.calls == 1
    logged = out.getvalue()
    for secret in ("1234-567890", "年金番号", subject, FAMILY, message_id):
        assert secret not in logged
    [line] = [json.loads(text) for text in logged.splitlines()]
    assert line["event"] == "mail intake failed; the mail stays unseen"
    assert line["error_type"] == "ValidationError"
    # Our frames are there to find the bug by.
    assert 'test_mail_intake_stack.py", line' in line["exception"]
    assert "in take\n" in line["exception"]
    assert await desk.fetched(message_id) is not None  # still unseen, tried again next round


def _given_up_count() -> float:
    return REGISTRY.get_sample_value("sslp_helpdesk_mail_errors_total", {"kind": "given_up"}) or 0.0


async def test_a_mail_whose_intake_keeps_failing_is_given_up_and_counted_across_a_restart(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = logged_lines(monkeypatch)
    message_id = desk.send(desk.compose("写真が送れません。"))
    intake = QuotingIntake(desk)
    given_up_before = _given_up_count()

    def reader() -> MailReader:
        mailbox = ImapMailbox(desk.settings.imap_config())
        return MailReader(mailbox=mailbox, intake=intake, max_attempts=3)

    first = reader()
    try:
        await rounds_until(first, intake.taken)
        await first.round()
    finally:
        await first.stop()
    assert intake.calls == 2
    [failing] = await desk.store.collection(MAIL_LOG).find().to_list()
    assert (failing["action"], failing["attempts"]) == ("failing", 2)
    assert await desk.fetched(message_id) is not None  # still unseen: tried again

    # The service restarted: the count is in mongod, so the third failure is the last.
    second = reader()
    try:
        await second.round()
        await second.round()
    finally:
        await second.stop()
    assert intake.calls == 3  # given up: not taken again
    [failed] = await desk.store.collection(MAIL_LOG).find().to_list()
    assert (failed["action"], failed["attempts"], failed["error_type"]) == (
        "failed",
        3,
        "ValidationError",
    )
    assert set(failed) == {"_id", "action", "attempts", "error_type", "at", "first_at"}
    assert await desk.fetched(message_id) is None  # flagged \Seen
    assert _given_up_count() == given_up_before + 1
    assert await desk.store.collection("tickets").count_documents({}) == 0

    logged = out.getvalue()
    assert "写真" not in logged
    lines = [json.loads(text) for text in logged.splitlines()]
    assert [(line["event"], line["attempts"]) for line in lines] == [
        ("mail intake failed; the mail stays unseen", 1),
        ("mail intake failed; the mail stays unseen", 2),
        ("mail intake failed too often; given up and flagged seen", 3),
    ]
    assert "Traceback (most recent call last)" in lines[-1]["exception"]


async def test_a_mail_recorded_failed_but_left_unseen_is_flagged_without_being_taken(
    desk: Desk,
) -> None:
    message_id = desk.send(desk.compose("画面が暗いままです。"))
    fetched = await eventually(
        lambda: desk.fetched(message_id), lambda f: f is not None, timeout=2.0, interval=0.1
    )
    assert fetched is not None
    # The reader before this one gave the mail up, and stopped before flagging it \Seen.
    log = MailIntakeLog(desk.store)
    for _ in range(2):
        await log.failed_attempt(
            uidvalidity=fetched.uidvalidity,
            uid=fetched.uid,
            error_type="ValidationError",
            at=utcnow(),
            give_up_after=2,
        )
    intake = QuotingIntake(desk)
    reader = MailReader(mailbox=ImapMailbox(desk.settings.imap_config()), intake=intake)
    try:
        await reader.round()
    finally:
        await reader.stop()
    assert intake.calls == 0
    assert await desk.fetched(message_id) is None
