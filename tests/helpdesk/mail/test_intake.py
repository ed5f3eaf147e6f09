"""The intake decision, pure: duplicate, ignored machines, danger before limits, size and rate
refusals, joining by threading headers or by the requester's subject tag, reopening within the
window, a follow-up ticket after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.common.events.contracts.helpdesk import Priority, RequestReason, TicketStatus
from services.helpdesk.domain.mail.automation import MailKind
from services.helpdesk.domain.mail.intake import (
    Action,
    IntakeFacts,
    IntakePolicy,
    KnownTicket,
    Refusal,
    SafetyRoute,
    SafetyVerdict,
    decide,
    safety_text,
)
from services.helpdesk.domain.mail.model import InboundMail, MailLimits
from services.helpdesk.domain.mail.parsing import parse_mail
from services.helpdesk.domain.mail.threading import reply_message_id
from tests.helpdesk.mail.samples import DOMAIN, HELPDESK, SENDER_ADDRESS, mail, text_part

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
POLICY = IntakePolicy(own_addresses={HELPDESK}, own_domain=DOMAIN, max_per_sender=5)
OUR_REPLY = reply_message_id("7f0c2a9e-reply", DOMAIN)
EMERGENCY = SafetyVerdict(SafetyRoute.EMERGENCY, certain=True)


def inbound(
    text: str = "母のタブレットの電源が入りません。",
    *,
    subject: str = "タブレットについて",
    headers: tuple[tuple[str, str], ...] = (),
    from_header: str | None = None,
    limits: MailLimits | None = None,
) -> InboundMail:
    raw = mail(text_part(text), subject=subject, extra_headers=headers, from_header=from_header)
    return parse_mail(raw, limits) if limits else parse_mail(raw)


def facts(**changes: object) -> IntakeFacts:
    values: dict[str, object] = {"now": NOW, "tickets_by_message_id": {}, "known_sender": True}
    values.update(changes)
    return IntakeFacts(**values)  # type: ignore[arg-type]


def ticket(
    status: TicketStatus = TicketStatus.OPEN,
    *,
    resolved_ago: timedelta | None = None,
    requester: str = SENDER_ADDRESS,
) -> KnownTicket:
    resolved_at = NOW - resolved_ago if resolved_ago is not None else None
    return KnownTicket("T-1", status, requester, resolved_at)


def replying(*message_ids: str) -> tuple[tuple[str, str], ...]:
    return (("In-Reply-To", message_ids[-1]), ("References", " ".join(message_ids)))


def test_a_first_mail_opens_a_normal_ticket() -> None:
    decision = decide(inbound(), facts(), POLICY)
    assert decision.action is Action.NEW_TICKET
    assert decision.request_reason is RequestReason.OTHER
    assert decision.priority is Priority.NORMAL
    assert not decision.unknown_sender
    assert decision.ticket_id is None


def test_mail_from_an_unknown_sender_is_still_a_ticket_but_marked() -> None:
    decision = decide(inbound(), facts(known_sender=False), POLICY)
    assert decision.action is Action.NEW_TICKET
    assert decision.unknown_sender


def test_a_mail_taken_before_changes_nothing() -> None:
    decision = decide(inbound(), facts(already_received=True, safety=EMERGENCY), POLICY)
    assert decision.action is Action.DUPLICATE
    assert not decision.touches_ticket


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ((("Auto-Submitted", "auto-replied"),), MailKind.AUTO_REPLY),
        ((("Precedence", "bulk"),), MailKind.BULK),
        ((("X-Loop", HELPDESK),), MailKind.LOOP),
    ],
)
def test_machines_are_ignored_even_when_their_text_looks_alarming(
    headers: tuple[tuple[str, str], ...], kind: MailKind
) -> None:
    decision = decide(inbound(headers=headers), facts(safety=EMERGENCY), POLICY)
    assert decision.action is Action.IGNORE
    assert decision.ignored_kind is kind
    assert not decision.tell_sender


def test_our_own_mail_coming_back_is_a_loop() -> None:
    decision = decide(inbound(from_header=HELPDESK), facts(), POLICY)
    assert decision.action is Action.IGNORE
    assert decision.ignored_kind is MailKind.LOOP


@pytest.mark.parametrize(
    ("safety", "reason", "priority"),
    [
        (EMERGENCY, RequestReason.EMERGENCY, Priority.URGENT),
        (
            SafetyVerdict(SafetyRoute.SELF_HARM, certain=True),
            RequestReason.SELF_HARM,
            Priority.URGENT,
        ),
        (
            SafetyVerdict(SafetyRoute.FRAUD, certain=True),
            RequestReason.FRAUD_SUSPECTED,
            Priority.HIGH,
        ),
        (
            SafetyVerdict(SafetyRoute.PERSON, certain=True),
            RequestReason.PERSON_REQUESTED,
            Priority.NORMAL,
        ),
        (
            SafetyVerdict(SafetyRoute.EMERGENCY, certain=False),
            RequestReason.SAFETY_REVIEW,
            Priority.HIGH,
        ),
    ],
)
def test_the_safety_verdict_sets_reason_and_priority(
    safety: SafetyVerdict, reason: RequestReason, priority: Priority
) -> None:
    decision = decide(inbound("父が胸が苦しいと言っています"), facts(safety=safety), POLICY)
    assert decision.action is Action.NEW_TICKET
    assert (decision.request_reason, decision.priority) == (reason, priority)


def test_a_mail_too_large_to_read_is_refused_and_the_sender_told() -> None:
    limits = MailLimits(max_message_bytes=200)
    decision = decide(inbound("長い本文" * 100, limits=limits), facts(), POLICY)
    assert decision.action is Action.REFUSE
    assert decision.refusal is Refusal.TOO_LARGE
    assert decision.tell_sender
    header_only = decide(inbound(), facts(header_only=True), POLICY)
    assert header_only.refusal is Refusal.TOO_LARGE


def test_a_sender_over_the_rate_limit_is_refused_silently() -> None:
    assert decide(inbound(), facts(recent_from_sender=4), POLICY).action is Action.NEW_TICKET
    decision = decide(inbound(), facts(recent_from_sender=5), POLICY)
    assert decision.action is Action.REFUSE
    assert decision.refusal is Refusal.RATE
    assert not decision.tell_sender


def test_danger_beats_the_limits() -> None:
    flood = decide(inbound(), facts(recent_from_sender=50, safety=EMERGENCY), POLICY)
    assert flood.action is Action.NEW_TICKET
    assert flood.priority is Priority.URGENT
    large = decide(inbound(), facts(header_only=True, safety=EMERGENCY), POLICY)
    assert large.action is Action.NEW_TICKET
    fraud = decide(
        inbound(),
        facts(recent_from_sender=50, safety=SafetyVerdict(SafetyRoute.FRAUD, True)),
        POLICY,
    )
    assert fraud.action is Action.REFUSE  # only a life at risk passes a limit


def test_a_mail_without_a_readable_sender_is_ignored_unless_a_life_is_at_risk() -> None:
    nobody = inbound(from_header="undisclosed-recipients:;")
    assert decide(nobody, facts(), POLICY).ignored_kind is MailKind.NO_SENDER
    decision = decide(nobody, facts(safety=EMERGENCY), POLICY)
    assert decision.action is Action.NEW_TICKET
    assert decision.priority is Priority.URGENT


def test_a_reply_to_our_mail_joins_its_active_ticket() -> None:
    reply = inbound(headers=replying("<first@example.ne.jp>", OUR_REPLY))
    decision = decide(reply, facts(tickets_by_message_id={OUR_REPLY: ticket()}), POLICY)
    assert decision.action is Action.JOIN
    assert decision.ticket_id == "T-1"
    assert "threading headers" in decision.reason


def test_the_parent_wins_over_older_references() -> None:
    older = KnownTicket("T-old", TicketStatus.OPEN, SENDER_ADDRESS)
    reply = inbound(headers=replying("<first@example.ne.jp>", OUR_REPLY))
    known = {"<first@example.ne.jp>": older, OUR_REPLY: ticket()}
    assert decide(reply, facts(tickets_by_message_id=known), POLICY).ticket_id == "T-1"
    only_root = {"<first@example.ne.jp>": older}
    assert decide(reply, facts(tickets_by_message_id=only_root), POLICY).ticket_id == "T-old"


def test_a_reply_after_resolving_reopens_within_the_window_and_follows_up_after_it() -> None:
    reply = inbound(headers=replying(OUR_REPLY))
    recent = {OUR_REPLY: ticket(TicketStatus.RESOLVED, resolved_ago=timedelta(hours=71))}
    decision = decide(reply, facts(tickets_by_message_id=recent), POLICY)
    assert decision.action is Action.JOIN_AND_REOPEN
    assert decision.ticket_id == "T-1"
    old = {OUR_REPLY: ticket(TicketStatus.RESOLVED, resolved_ago=timedelta(hours=73))}
    later = decide(reply, facts(tickets_by_message_id=old), POLICY)
    assert later.action is Action.NEW_TICKET
    assert later.follow_up_of == "T-1"
    closed = {OUR_REPLY: ticket(TicketStatus.CLOSED, resolved_ago=timedelta(hours=1))}
    after_close = decide(reply, facts(tickets_by_message_id=closed), POLICY)
    assert after_close.action is Action.NEW_TICKET
    assert after_close.follow_up_of == "T-1"


def test_an_emergency_in_a_reply_joins_and_raises_the_ticket() -> None:
    reply = inbound("急に倒れました", headers=replying(OUR_REPLY))
    decision = decide(
        reply, facts(tickets_by_message_id={OUR_REPLY: ticket()}, safety=EMERGENCY), POLICY
    )
    assert decision.action is Action.JOIN
    assert decision.priority is Priority.URGENT
    assert decision.request_reason is RequestReason.EMERGENCY


def test_the_subject_tag_joins_only_for_the_requester() -> None:
    tagged = inbound(subject="Re: タブレットについて [SSL#HD-1234]")
    mine = decide(tagged, facts(tagged_ticket=ticket()), POLICY)
    assert mine.action is Action.JOIN
    assert "subject tag" in mine.reason
    someone_else = decide(tagged, facts(tagged_ticket=ticket(requester="other@example.jp")), POLICY)
    assert someone_else.action is Action.NEW_TICKET
    untagged = decide(inbound(), facts(tagged_ticket=ticket()), POLICY)
    assert untagged.action is Action.NEW_TICKET


def test_a_reply_from_another_address_joins_but_is_marked() -> None:
    reply = inbound(headers=replying(OUR_REPLY))
    known = {OUR_REPLY: ticket(requester="son@example.jp")}
    decision = decide(reply, facts(tickets_by_message_id=known), POLICY)
    assert decision.action is Action.JOIN
    assert decision.unknown_sender


def test_the_safety_routing_reads_what_the_sender_wrote_not_what_they_quoted() -> None:
    body = "わかりました。\n\n2026年12月1日 相談窓口 <soudan@helpdesk.example.jp>:\n> 急なときは 119 に電話してください。\n"
    text = safety_text(inbound(body, subject="Re: ご相談"))
    assert text.startswith("Re: ご相談\nわかりました。")
    assert "119" not in text
