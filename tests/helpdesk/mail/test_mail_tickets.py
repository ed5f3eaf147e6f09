"""What a received mail becomes on a ticket, pure: the shared detector's verdict, the request id
that makes a mail read twice one entry, the new e-mail ticket, a mail joining or reopening one
(never lowering its priority), and a staff reply staged as one mail answering the newest."""

from __future__ import annotations

import itertools
from datetime import timedelta

from services.common.events.contracts.helpdesk import Priority, RequestReason, TicketStatus
from services.common.safety import Detection, Route, detect
from services.helpdesk.domain.change import StaffAct
from services.helpdesk.domain.mail.intake import (
    Action,
    IntakeDecision,
    SafetyRoute,
    SafetyVerdict,
    safety_text,
)
from services.helpdesk.domain.mail.parsing import parse_mail
from services.helpdesk.domain.mail.tickets import (
    mail_entry,
    mail_request_id,
    new_mail_ticket,
    sender_key,
    verdict_of,
)
from services.helpdesk.domain.parts import SYSTEM
from services.helpdesk.domain.ticket import Ticket
from services.helpdesk.domain.tickets import Category, Channel
from services.helpdesk.usecases.mail_replies import MAX_ATTEMPTS, pause_after
from tests.helpdesk.domain.builders import MONDAY, RULES, TANAKA, opened
from tests.helpdesk.mail.samples import SENDER_ADDRESS, mail, text_part


def _mail(text: str = "母のタブレットの電源が入りません。", *, message_id: str = "") -> bytes:
    return mail(text_part(text), message_id=message_id or "<20261201100000.abc@example.ne.jp>")


def test_the_shared_detector_makes_the_intakes_verdict() -> None:
    assert verdict_of(Detection()) == SafetyVerdict()
    assert verdict_of(Detection(routes=(Route.EMERGENCY,), uncertain=(Route.FRAUD,))) == (
        SafetyVerdict(SafetyRoute.EMERGENCY, certain=True)
    )
    assert verdict_of(Detection(uncertain=(Route.FRAUD,))) == SafetyVerdict(SafetyRoute.FRAUD)
    inbound = parse_mail(_mail("父が急に胸が痛いと言って、冷や汗をかいています。"))
    assert verdict_of(detect(safety_text(inbound))).life_at_risk


def test_the_request_id_is_stable_per_message_id_and_carries_no_address() -> None:
    inbound = parse_mail(_mail(message_id=f"<abc.{SENDER_ADDRESS}>"))
    first = mail_request_id(inbound, uidvalidity=1, uid=5)
    assert first == mail_request_id(inbound, uidvalidity=2, uid=9)  # the Message-ID decides
    assert first.startswith("mail:")
    assert "example" not in first
    assert "tanaka" not in first
    other = parse_mail(_mail(message_id="<other@example.ne.jp>"))
    assert mail_request_id(other, uidvalidity=1, uid=5) != first
    assert sender_key(SENDER_ADDRESS.upper()) == sender_key(SENDER_ADDRESS)
    assert SENDER_ADDRESS not in sender_key(SENDER_ADDRESS)


def _opened_by_mail(
    priority: Priority = Priority.NORMAL, reason: RequestReason = RequestReason.OTHER
) -> Ticket:
    inbound = parse_mail(_mail())
    request_id = mail_request_id(inbound, uidvalidity=1, uid=1)
    decision = IntakeDecision(
        Action.NEW_TICKET, "new conversation", request_reason=reason, priority=priority
    )
    new = new_mail_ticket(
        inbound, decision, entry=mail_entry(inbound, request_id=request_id, at=MONDAY)
    )
    return Ticket.open(RULES, new, ticket_id="t-mail", number=7, now=MONDAY, actor=SYSTEM).after


def test_a_new_mail_opens_an_email_ticket_with_the_sender_subject_and_text() -> None:
    ticket = _opened_by_mail()
    assert ticket.channel is Channel.EMAIL
    assert ticket.mail_address == SENDER_ADDRESS
    assert ticket.mail_message_ids == ["<20261201100000.abc@example.ne.jp>"]
    assert ticket.line_user_id is None
    assert ticket.summary == "メールでのご相談: タブレットについて"
    entry = ticket.thread[-1]
    assert entry.kind == "senior"
    assert entry.text == "件名: タブレットについて\n\n母のタブレットの電源が入りません。"
    assert entry.id == entry.request_id == ticket.request_ids[0]


def test_an_urgent_mail_opens_an_urgent_emergency_ticket() -> None:
    ticket = _opened_by_mail(Priority.URGENT, RequestReason.EMERGENCY)
    assert (ticket.priority, ticket.category) == (Priority.URGENT, Category.EMERGENCY)


def _reply_to(ticket: Ticket, *, priority: Priority, at_hours: float) -> tuple[str, Ticket]:
    inbound = parse_mail(
        _mail("ありがとうございます。まだ点きません。", message_id="<r2@example.ne.jp>")
    )
    request_id = mail_request_id(inbound, uidvalidity=1, uid=2)
    now = MONDAY + timedelta(hours=at_hours)
    outcome, change = ticket.mail_received(
        RULES,
        entry=mail_entry(inbound, request_id=request_id, at=now),
        request_id=request_id,
        message_ids=("<r2@example.ne.jp>",),
        priority=priority,
        unknown_sender=False,
        now=now,
    )
    assert change.events  # staff queues hear of it (ids only: TicketChanged)
    return outcome, change.after


def test_a_reply_joins_and_never_lowers_the_priority() -> None:
    ticket = _opened_by_mail(Priority.HIGH)
    outcome, after = _reply_to(ticket, priority=Priority.NORMAL, at_hours=1)
    assert outcome == "joined"
    assert after.priority is Priority.HIGH
    assert after.mail_message_ids == ["<20261201100000.abc@example.ne.jp>", "<r2@example.ne.jp>"]
    assert len(after.request_ids) == 2
    assert after.thread[-1].text.endswith("まだ点きません。")


def test_a_reply_to_a_resolved_ticket_reopens_it() -> None:
    ticket = _opened_by_mail()
    act = StaffAct(RULES, TANAKA, ticket.version, MONDAY + timedelta(minutes=5))
    resolved = ticket.resolve(act, ask_csat=False, closing=False).after
    assert resolved.status is TicketStatus.RESOLVED
    outcome, after = _reply_to(resolved, priority=Priority.URGENT, at_hours=2)
    assert outcome == "reopened"
    assert after.status is TicketStatus.OPEN
    assert after.priority is Priority.URGENT
    assert after.reopened_count == 1


def test_a_reply_on_an_email_ticket_is_staged_as_one_mail_answering_the_newest() -> None:
    _, ticket = _reply_to(_opened_by_mail(), priority=Priority.NORMAL, at_hours=1)
    act = StaffAct(RULES, TANAKA, ticket.version, MONDAY + timedelta(hours=2))
    change = ticket.reply(act, text="確認します。", client_reply_id="reply-0001", then_wait=True)
    assert change is not None
    assert change.sends == []  # nothing to LINE
    [staged] = change.mails
    assert staged.reply_id == str(ticket.reply_command_id("reply-0001"))
    assert (staged.to, staged.body, staged.ticket_ref) == (SENDER_ADDRESS, "確認します。", "0007")
    assert staged.subject == "タブレットについて"
    assert staged.parent_message_id == "<r2@example.ne.jp>"
    assert staged.parent_references == ("<20261201100000.abc@example.ne.jp>",)
    act_again = StaffAct(RULES, TANAKA, change.after.version, act.now)
    assert (
        change.after.reply(
            act_again, text="確認します。", client_reply_id="reply-0001", then_wait=True
        )
        is None
    )


def test_a_reply_on_a_line_ticket_stages_no_mail() -> None:
    ticket = opened()
    act = StaffAct(RULES, TANAKA, ticket.version, MONDAY + timedelta(minutes=1))
    change = ticket.reply(act, text="はい。", client_reply_id="reply-0002", then_wait=False)
    assert change is not None
    assert change.mails == []
    assert len(change.sends) == 1


def test_retries_pause_longer_each_time() -> None:
    pauses = [pause_after(n) for n in range(1, MAX_ATTEMPTS)]
    assert pauses[0] == timedelta(seconds=30)
    assert all(b == 2 * a for a, b in itertools.pairwise(pauses))
    assert sum(pauses, timedelta()) < timedelta(hours=2)
