"""Whole journeys across every service, through the LINE simulator, the staff APIs and real Kafka.

Each service has its own end-to-end tests; these check that they fit together the way a senior
and the staff experience them: handing a conversation to a person and back, and a borrower
linking LINE and asking Dai-chan about their tablet and sessions.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from uuid import uuid4

import pytest

from services.ai_chat.domain.responders import OFFLINE_LABEL
from services.ai_chat.domain.templates import WAITING_TEXT
from services.common.wording import japanese_date
from tests.fixtures.line import Simulator, new_user_id, texts
from tests.fixtures.waiting import eventually
from tests.helpdesk.support import Staff
from tests.line_gateway.support import gateway_user
from tests.tablet_lending.support import LendingApi, jst, today_jst
from tools.devstack.stack import Stack


@pytest.fixture
async def tanaka(stack: Stack) -> AsyncIterator[Staff]:
    staff = await Staff.login(stack, "tanaka")
    yield staff
    await staff.close()


async def mode_of(stack: Stack, user: str) -> str | None:
    doc = await gateway_user(stack, user)
    return doc["mode"] if doc else None


async def test_asking_for_a_person_staff_answer_and_dai_chan_returns(
    simulator: Simulator, stack: Stack, tanaka: Staff
) -> None:
    user = new_user_id()
    await simulator.send_text(user, "人と話したい")
    notice = texts(await simulator.wait_for_inbox(user))
    assert notice, "Dai-chan tells the senior a person will answer"

    # The helpdesk opened a ticket that holds the conversation; the gateway switched modes.
    [ticket] = await tanaka.wait_ticket_of(user)
    assert ticket["holds_conversation"] is True
    assert await eventually(lambda: mode_of(stack, user), lambda m: m == "human") == "human"

    # While a person has it, the senior's messages join the ticket; Dai-chan acknowledges the
    # first of them once (with the desk's hours) and is silent after that.
    await simulator.send_text(user, "タブレットの 音が 出ません")
    await tanaka.wait_for(ticket["id"], lambda t: any("音が" in e["text"] for e in t["thread"]))
    sends = await simulator.settled_inbox(user, count=2, quiet=2.0)
    assert len(sends) == 2
    assert texts(sends[-1:])[0].startswith(WAITING_TEXT)
    await simulator.send_text(user, "まだですか")
    joined = await tanaka.wait_for(
        ticket["id"], lambda t: any("まだ" in e["text"] for e in t["thread"])
    )
    assert [e["text"] for e in joined["thread"] if e["kind"] == "senior"][-2:] == [
        "タブレットの 音が 出ません",
        "まだですか",
    ]
    assert len(await simulator.settled_inbox(user, quiet=2.0)) == 2

    claimed = await tanaka.post(
        f"/staff/api/tickets/{ticket['id']}/claim", {"version": joined["version"]}
    )
    assert claimed.status_code == 200, claimed.text
    answer = "ヘルプデスクの田中です。音量ボタンを 上に 押してみてください。"
    replied = await tanaka.post(
        f"/staff/api/tickets/{ticket['id']}/replies",
        {"version": claimed.json()["version"], "text": answer, "client_reply_id": uuid4().hex},
    )
    assert replied.status_code == 200, replied.text
    assert texts(await simulator.wait_for_inbox(user, count=3))[-1] == answer

    # Resolving hands the conversation back, says goodbye and asks how it went.
    resolved = await tanaka.post(
        f"/staff/api/tickets/{ticket['id']}/resolve",
        {"version": replied.json()["version"], "ask_csat": True},
    )
    assert resolved.status_code == 200, resolved.text
    assert await eventually(lambda: mode_of(stack, user), lambda m: m == "bot") == "bot"
    closing = await simulator.wait_for_inbox(user, count=4)
    csat_buttons = [
        item["action"]["data"]
        for send in closing
        for message in send["messages"]
        for item in (message.get("quickReply") or {}).get("items", [])
    ]
    assert f"helpdesk:csat?ticket={ticket['id']}&score=5" in csat_buttons

    # The senior taps 5 on their phone: it is stored on the ticket.
    tapped = await simulator.http.post(
        f"/sim/users/{user}/postbacks",
        json={"data": f"helpdesk:csat?ticket={ticket['id']}&score=5", "displayText": "5"},
    )
    assert tapped.status_code == 200
    rated = await tanaka.wait_for(ticket["id"], lambda t: t.get("csat"))
    assert rated["csat"]["score"] == 5

    # And Dai-chan answers again.
    before = len(await simulator.settled_inbox(user, count=len(closing), quiet=2.0))
    await simulator.send_text(user, "ありがとう")
    after = await simulator.settled_inbox(user, count=before + 1, quiet=2.0)
    assert len(after) == before + 1
    assert OFFLINE_LABEL in texts(after)[-1]


async def test_a_borrower_links_line_and_dai_chan_knows_their_tablet_and_sessions(
    simulator: Simulator, stack: Stack
) -> None:
    operator = await LendingApi.signed_in(stack, "operator")
    supervisor = await LendingApi.signed_in(stack, "supervisor")
    try:
        cohort = await operator.cohort()
        cohort_id = cohort["cohort_id"]
        [participant] = await operator.enrolled(cohort_id)
        await supervisor.draw(cohort_id)
        await operator.attended_explanatory(cohort_id, [participant])
        loan = await operator.lend(participant)
        due = date.fromisoformat(loan["due_on"])
        tomorrow = today_jst() + timedelta(days=2)
        session = await operator.session(
            cohort_id,
            kind="follow_up",
            starts=jst(tomorrow, 14),
            ends=jst(tomorrow, 15, 30),
        )
        issued = await operator.ok("POST", f"/participants/{participant}/link-code")

        # The senior adds the account and sends the code staff gave them on paper.
        user = new_user_id()
        await simulator.follow(user)
        greeting = len(await simulator.wait_for_inbox(user))
        await simulator.send_text(user, f"連携 {issued['code']}")
        confirmed = await simulator.wait_for_inbox(user, count=greeting + 1)
        assert "連携" in texts(confirmed)[-1]
        detail = await eventually(
            lambda: operator.ok("GET", f"/participants/{participant}"),
            lambda d: d["line_linked"],
        )
        assert detail["line_linked"] is True

        # Dai-chan answers from its own read model of lending.events.
        count = len(await simulator.settled_inbox(user, count=greeting + 1, quiet=1.0))
        answer = await eventually(
            lambda: ask(simulator, user, "タブレットは いつ 返すの？"),
            lambda text: japanese_date(due) in text,
            timeout=20.0,
        )
        assert japanese_date(due) in answer

        # 講座の予定 from the rich menu lists the follow-up with a button to book it.
        count = len(await simulator.inbox(user))
        await simulator.http.post(f"/sim/users/{user}/postbacks", json={"data": "daichan:sessions"})
        sessions = await simulator.wait_for_inbox(user, count=count + 1)
        buttons = [
            item["action"]
            for send in sessions[count:]
            for message in send["messages"]
            for item in (message.get("quickReply") or {}).get("items", [])
        ]
        booking = f"lending:book?session={session['session_id']}"
        assert booking in [b.get("data") for b in buttons]

        # Tapping it books the seat in tablet_lending, which confirms on LINE.
        count = len(await simulator.inbox(user))
        await simulator.http.post(
            f"/sim/users/{user}/postbacks", json={"data": booking, "displayText": "予約する"}
        )
        booked = await simulator.wait_for_inbox(user, count=count + 1)
        assert re.search("予約", texts(booked)[-1])
        seats = await eventually(
            lambda: operator.ok("GET", f"/sessions/{session['session_id']}"),
            lambda s: s["booked"] == 1,
        )
        assert (seats["booked"], seats["seats_left"]) == (1, 9)
    finally:
        await operator.close()
        await supervisor.close()


async def ask(simulator: Simulator, user: str, question: str) -> str:
    """Send a question and return Dai-chan's answer to it."""
    count = len(await simulator.inbox(user))
    await simulator.send_text(user, question)
    inbox = await simulator.wait_for_inbox(user, count=count + 1)
    return texts(inbox)[-1]
