"""The ticket aggregate's transitions, pure: a ticket and a time in, a change out, no database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.events.contracts.helpdesk import (
    ConversationHandedBack,
    ConversationHandedOver,
    HelpRequested,
    Priority,
    RequestReason,
    StaffReplied,
    TicketChanged,
    TicketStatus,
)
from services.common.events.envelope import new_event
from services.helpdesk.domain.change import StaffAct
from services.helpdesk.domain.errors import (
    ClaimedByOther,
    NeedsSupervisor,
    NotAllowed,
    StaleVersion,
)
from services.helpdesk.domain.parts import SENIOR, Actor, Entry
from services.helpdesk.domain.ticket import Ticket
from services.helpdesk.domain.tickets import Channel, InvalidTransition
from tests.helpdesk.domain.builders import (
    LINE_USER,
    MONDAY,
    RULES,
    SATO,
    SUZUKI,
    TANAKA,
    about,
    opened,
    ticket,
)

LATER = MONDAY + timedelta(minutes=5)


def act(t: Ticket, actor: Actor = TANAKA, *, version: int | None = None) -> StaffAct:
    """`actor` acting on `t` five minutes after it opened, on the version it has (or `version`)."""
    return StaffAct(RULES, actor, t.version if version is None else version, LATER)


def test_opening_a_line_ticket_with_a_handover_takes_the_conversation() -> None:
    new = about(priority=Priority.HIGH, summary="人と話したい", request_id="r-9", handover=True)
    change = Ticket.open(RULES, new, ticket_id="t-9", number=9, now=MONDAY, actor=TANAKA)
    t = change.after
    assert change.before is None
    assert (t.status, t.version, t.request_ids, t.holds_conversation) == (
        TicketStatus.NEW,
        1,
        ["r-9"],
        True,
    )
    assert [e.kind for e in t.thread] == ["system"]
    assert [h.action for h in t.history] == ["opened", "conversation_taken"]
    kinds = [type(o.event.data) for o in change.events]
    assert kinds == [ConversationHandedOver, TicketChanged]
    assert change.events[0].key == LINE_USER  # a senior's hand-overs stay in order
    assert [(m.name, m.labels) for m in change.measures] == [("opened", ("line", "high"))]


def test_a_transition_leaves_the_ticket_it_was_given_unchanged() -> None:
    t = opened()
    change = t.claim(act(t))
    assert t.assignee is None
    assert t.status is TicketStatus.NEW
    assert t.version == 1
    assert change.after.assignee is not None
    assert change.after.assignee.id == TANAKA.id
    assert change.after.status is TicketStatus.OPEN
    assert change.after.version == 2
    assert change.before is t
    assert [h.action for h in change.new_history] == ["claimed", "status"]


def test_a_stale_version_or_a_colleagues_claim_is_refused() -> None:
    t = opened().claim(act(opened())).after
    with pytest.raises(StaleVersion):
        t.release(act(t, version=t.version - 1))
    with pytest.raises(ClaimedByOther) as refused:
        t.release(act(t, SUZUKI))
    assert refused.value.details["assignee"] == {"id": TANAKA.id, "name": "田中", "kind": "staff"}


def test_a_reply_on_line_is_sent_once_and_stops_the_first_response_clock() -> None:
    t = opened()
    change = t.reply(act(t), text="田中です。", client_reply_id="reply-0001", then_wait=True)
    assert change is not None
    after = change.after
    assert after.status is TicketStatus.WAITING_ON_SENIOR
    assert after.assignee is not None  # replying claims an unclaimed ticket
    assert after.first_response_at == LATER
    assert after.awaiting_staff_since is None
    first = after.sla["first_response"]
    assert first is not None
    assert first["met_at"] == LATER
    assert after.sla["paused_at"] == LATER  # waiting on the senior pauses the resolution clock
    [send] = change.sends
    assert send.key == LINE_USER
    assert send.event.id == t.reply_command_id("reply-0001")
    assert [(m.name, m.labels) for m in change.measures] == [
        ("first_response", ("normal",)),
        ("first_response_by_channel", ("line",)),
        ("reply_sent", ("line",)),
    ]
    first_by_priority, first_by_channel, _sent = change.measures
    assert first_by_channel.value == first_by_priority.value > 0
    # The same reply again is recognised, whatever version the page names.
    assert after.has_reply("reply-0001")
    assert (
        after.reply(act(after, version=1), text="x", client_reply_id="reply-0001", then_wait=True)
        is None
    )


def test_a_reply_on_line_tells_dai_chan_a_person_answered_keyed_by_the_senior() -> None:
    t = opened(handover=True)
    change = t.reply(act(t), text="田中です。", client_reply_id="reply-0005", then_wait=False)
    assert change is not None
    [replied] = [o for o in change.events if isinstance(o.event.data, StaffReplied)]
    assert replied.key == LINE_USER  # in order with the senior's hand-over and hand-back
    assert replied.event.data == StaffReplied(ticket_id=t.id, line_user_id=LINE_USER, at=LATER)
    # The same reply decided again (a retried transaction) publishes the same event.
    again = t.reply(act(t), text="田中です。", client_reply_id="reply-0005", then_wait=False)
    assert again is not None
    assert [o.event.id for o in again.events if isinstance(o.event.data, StaffReplied)] == [
        replied.event.id
    ]


def test_a_mail_reply_tells_dai_chan_nothing() -> None:
    t = opened(channel=Channel.EMAIL, line_user_id=None)
    change = t.reply(act(t), text="田中です。", client_reply_id="reply-0006", then_wait=False)
    assert change is not None
    assert not [o for o in change.events if isinstance(o.event.data, StaffReplied)]


def test_a_reply_uses_a_fresh_reply_token_once() -> None:
    t = ticket(reply_token="tok", reply_token_expires_at=LATER + timedelta(minutes=1))
    change = t.reply(act(t), text="はい", client_reply_id="reply-0002", then_wait=False)
    assert change is not None
    assert change.sends[0].event.data.reply_token == "tok"
    assert change.after.reply_token is None
    again = change.after.reply(
        act(change.after), text="もう一度", client_reply_id="reply-0003", then_wait=False
    )
    assert again is not None
    assert again.sends[0].event.data.reply_token is None


def test_a_resolved_ticket_takes_no_reply_and_resolving_hands_the_conversation_back() -> None:
    t = opened(handover=True)
    resolved = t.resolve(act(t), ask_csat=True, closing=True)
    after = resolved.after
    assert after.status is TicketStatus.RESOLVED
    assert not after.holds_conversation
    assert after.resolved_at == LATER
    assert after.csat_asked
    assert [type(o.event.data) for o in resolved.events] == [ConversationHandedBack, TicketChanged]
    assert resolved.sends[0].event.data.purpose == "helpdesk.closing"
    assert [m.name for m in resolved.measures] == ["resolution"]
    with pytest.raises(NotAllowed):
        after.reply(act(after), text="x", client_reply_id="reply-0004", then_wait=True)


def test_the_senior_writing_reopens_a_resolved_ticket() -> None:
    t = opened()
    resolved = t.resolve(act(t), ask_csat=False, closing=False).after
    entry = Entry(id="m-1", kind="senior", author=SENIOR.person(), text="また", at=LATER)
    outcome, change = resolved.senior_wrote(
        RULES,
        entry=entry,
        reply_token=None,
        reply_token_expires_at=None,
        now=LATER,
        cause=new_event(
            HelpRequested(
                request_id="r-2",
                reason=RequestReason.OTHER,
                priority=Priority.NORMAL,
                summary="また",
                line_user_id=LINE_USER,
            ),
            source="ai_chat",
        ),
    )
    after = change.after
    assert outcome == "reopened"
    assert after.status is TicketStatus.OPEN
    assert after.reopened_count == 1
    assert after.resolved_at is None
    assert after.awaiting_staff_since == LATER
    resolution = after.sla["resolution"]
    assert resolution is not None
    assert resolution["cycle"] == 2
    assert after.holds_conversation  # the senior's ticket takes the conversation back
    assert [m.name for m in change.measures] == ["reopened"]


def test_the_senior_writing_tells_a_ticket_its_participant_and_never_replaces_one() -> None:
    def wrote(t: Ticket, participant: str | None) -> Ticket:
        entry = Entry(id="m-2", kind="senior", author=SENIOR.person(), text="はい", at=LATER)
        cause = new_event(
            HelpRequested(
                request_id="r-3",
                reason=RequestReason.OTHER,
                priority=Priority.NORMAL,
                summary="はい",
                line_user_id=LINE_USER,
            ),
            source="ai_chat",
        )
        _, change = t.senior_wrote(
            RULES,
            entry=entry,
            participant_id=participant,
            reply_token=None,
            reply_token_expires_at=None,
            now=LATER,
            cause=cause,
        )
        return change.after

    # line_gateway's stamp on the message: the senior linked after the ticket opened.
    assert wrote(opened(), "P-7").participant_id == "P-7"
    assert wrote(opened(), None).participant_id is None
    assert wrote(opened(participant_id="P-1"), "P-7").participant_id == "P-1"
    assert wrote(opened(participant_id="P-1"), None).participant_id == "P-1"


def test_joining_a_request_raises_the_priority_and_keeps_the_ticket() -> None:
    t = opened(priority=Priority.LOW)
    request = HelpRequested(
        request_id="r-3",
        reason=RequestReason.FRAUD_SUSPECTED,
        priority=Priority.HIGH,
        summary="不審な電話",
        line_user_id=LINE_USER,
    )
    outcome, change = t.join_request(
        RULES,
        request=request,
        priority=Priority.HIGH,
        now=LATER,
        cause=new_event(request, source="ai_chat"),
    )
    assert outcome == "joined"
    assert change.after.request_ids == ["r-1", "r-3"]
    assert change.after.priority is Priority.HIGH
    assert change.new_entries[0].request_id == "r-3"
    changed = change.events[-1].event.data
    assert isinstance(changed, TicketChanged)
    assert changed.request_id == "r-1"


def test_lowering_an_urgent_safety_ticket_needs_a_supervisor() -> None:
    t = ticket(priority="urgent", category="emergency")
    with pytest.raises(NeedsSupervisor):
        t.update_fields(act(t), priority=Priority.LOW, category=None, tags=None)
    change = t.update_fields(act(t, SATO), priority=Priority.LOW, category=None, tags=["b", "a"])
    assert (change.after.priority, change.after.tags) == (Priority.LOW, ["a", "b"])


def test_status_rules_and_closing_an_expired_ticket() -> None:
    t = opened()
    with pytest.raises(NotAllowed):
        t.set_status(act(t), to=TicketStatus.RESOLVED)
    with pytest.raises(InvalidTransition):
        t.set_status(act(t), to=TicketStatus.CLOSED)
    resolved = t.resolve(act(t), ask_csat=False, closing=False).after
    closed = resolved.close_expired(RULES, now=LATER)
    assert closed is not None
    assert closed.after.status is TicketStatus.CLOSED
    assert closed.after.purge_at == LATER + RULES.retention
    assert t.close_expired(RULES, now=LATER) is None


def test_csat_and_an_undelivered_reply_are_recorded_once() -> None:
    t = opened()
    assert t.record_csat(RULES, line_user_id="U" + "1" * 32, score=5, now=LATER) is None
    rated = t.record_csat(RULES, line_user_id=LINE_USER, score=4, now=LATER)
    assert rated is not None
    assert rated.after.csat is not None
    assert rated.after.csat.score == 4
    assert rated.after.record_csat(RULES, line_user_id=LINE_USER, score=1, now=LATER) is None
    said = t.reply_not_delivered(RULES, reply_id="c-1", outcome="failed", at=LATER)
    assert said is not None
    assert said.new_entries[0].reply_id == "c-1"
    assert said.after.reply_not_delivered(RULES, reply_id="c-1", outcome="failed", at=LATER) is None


def test_a_mail_ticket_measures_its_first_response_by_the_email_channel() -> None:
    t = opened(channel=Channel.EMAIL, line_user_id=None)
    change = t.reply(act(t), text="田中です。", client_reply_id="reply-0002", then_wait=True)
    assert change is not None
    by_channel = [m for m in change.measures if m.name == "first_response_by_channel"]
    assert [m.labels for m in by_channel] == [("email",)]
