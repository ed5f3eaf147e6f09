"""Programme knowledge from ai_chat's own read model of `lending.events`, for the participant
line_gateway stamps on each message.

The senior links through the gateway with a one-time code (tablet_lending's
`lending.link_code.issued` published by the test, as are the loans and sessions it would publish);
ai_chat learns who they are only from the stamp, never from `line.account.linked`.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from uuid import uuid4

from services.ai_chat.domain import templates
from services.common.events.contracts.lending import (
    LoanIssued,
    SessionBooked,
    SessionKind,
    SessionScheduled,
)
from services.common.events.contracts.line import PostbackReceived
from services.common.kafka.topics import LENDING_EVENTS, LINE_INBOUND
from services.common.time import utcnow
from services.common.wording import japanese_date, jst_date
from services.line_gateway.domain import texts as gateway_texts
from tests.ai_chat.stack_support import publish, quick_reply_data
from tests.fixtures.line import Simulator, new_user_id, texts
from tests.line_gateway.support import issue_link_code, new_code
from tools.devstack.stack import Stack


async def _enrol(
    stack: Stack, simulator: Simulator, user: str, *, due_on: date
) -> tuple[str, str, str]:
    participant, cohort = f"P-{uuid4().hex[:10]}", f"C-{uuid4().hex[:6]}"
    booked, open_session = f"S-{uuid4().hex[:8]}", f"S-{uuid4().hex[:8]}"
    now = utcnow()
    code = new_code()
    await issue_link_code(stack, participant_id=participant, code=code)
    await simulator.send_text(user, code)
    assert texts(await simulator.wait_for_inbox(user, count=1)) == [gateway_texts.LINK_SUCCESS]
    await publish(
        stack,
        LENDING_EVENTS,
        participant,
        LoanIssued(
            loan_id=f"L-{participant}",
            participant_id=participant,
            cohort_id=cohort,
            device_model="タブレット",
            issued_on=due_on - timedelta(days=180),
            due_on=due_on,
        ),
    )
    for session_id, days in ((booked, 10), (open_session, 17)):
        starts = now.replace(microsecond=0) + timedelta(days=days)
        await publish(
            stack,
            LENDING_EVENTS,
            cohort,
            SessionScheduled(
                session_id=session_id,
                cohort_id=cohort,
                kind=SessionKind.FOLLOW_UP,
                title="LINEのつかいかた講座",
                venue="阿倍野区民センター",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=20,
                seats_left=8,
            ),
        )
    await publish(
        stack,
        LENDING_EVENTS,
        participant,
        SessionBooked(session_id=booked, participant_id=participant, booked_at=now),
    )
    await asyncio.sleep(2.0)  # let ai_chat's read model catch up
    return participant, booked, open_session


async def test_the_return_date_is_answered_from_data(simulator: Simulator, stack: Stack) -> None:
    user = new_user_id()
    due = jst_date(utcnow()) + timedelta(days=40)
    await _enrol(stack, simulator, user, due_on=due)

    await simulator.send_text(user, "いつタブレットを返すの？")

    [_, reply] = texts(await simulator.settled_inbox(user))
    assert japanese_date(due) in reply  # e.g. 2026年12月5日（土）
    assert "あと 40日" in reply


async def test_sessions_come_with_buttons_to_book_through_tablet_lending(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    participant, booked, open_session = await _enrol(
        stack, simulator, user, due_on=date(2099, 1, 1)
    )

    await simulator.send_text(user, "次の講座はいつ？")
    inbox = (await simulator.settled_inbox(user))[1:]
    [reply] = texts(inbox)
    assert "LINEのつかいかた講座" in reply
    assert "（申し込み済み）" in reply
    assert quick_reply_data(inbox) == [
        f"lending:cancel?session={booked}",
        f"lending:book?session={open_session}",
    ]

    await publish(
        stack,
        LINE_INBOUND,
        user,
        # As line_gateway publishes a tap: stamped with the sender's participant.
        PostbackReceived(
            user_id=user,
            webhook_event_id=f"wh-{user}",
            data="daichan:my_loan",
            sent_at=utcnow(),
            participant_id=participant,
        ),
    )
    inbox = await simulator.wait_for_inbox(user, count=3)
    assert "2099年1月1日（木）" in texts(inbox)[2]


async def test_a_senior_without_a_link_is_told_how_to_link_or_ask(simulator: Simulator) -> None:
    user = new_user_id()
    await simulator.send_text(user, "タブレットはいつまでに返せばいい？")
    assert texts(await simulator.settled_inbox(user)) == [templates.LINK_HOW_TO_TEXT]
