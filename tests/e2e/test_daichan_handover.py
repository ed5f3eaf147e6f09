"""Hand-over to a person: Dai-chan stays silent until the helpdesk hands the conversation back
(but for one acknowledgement of the wait), and says when a person will answer.

Dai-chan keeps its own record from `helpdesk.events` (line_gateway's mode stamp is built in
parallel), so these tests publish the helpdesk's hand-over events themselves; if the helpdesk
already handed over on its own, its ticket is handed back too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient

from services.ai_chat.domain.hours import desk_hours
from services.ai_chat.settings import AiChatSettings
from services.common.calendar import BusinessCalendar
from services.common.events.contracts.helpdesk import StaffReplied
from services.common.events.contracts.line import ConversationMode, MessageReceived
from services.common.kafka.topics import LINE_INBOUND
from services.common.time import utcnow
from services.common.wording import jst_date
from tests.ai_chat.stack_support import events_of, help_requests, publish, send_commands
from tests.fixtures.line import Simulator, new_user_id, texts
from tests.fixtures.waiting import eventually
from tests.helpdesk.support import Staff, give_back_every_conversation, take_conversation
from tools.devstack.stack import Stack


async def test_after_asking_for_a_person_dai_chan_is_silent_until_handed_back(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    await simulator.send_text(user, "人と話したい")
    await help_requests(stack, user)
    await simulator.send_text(user, "まだかな")
    await simulator.send_text(user, "こんにちは")
    # The hand-over notice, one acknowledgement of the wait, then silence.
    waiting = await simulator.settled_inbox(user, count=2, quiet=3.0)
    assert len(waiting) == 2
    assert texts(waiting)[1].startswith("メッセージ 受けとったで。")

    staff = await Staff.login(stack, "tanaka")
    try:
        await staff.wait_ticket_of(user)
        await give_back_every_conversation(staff, user)
    finally:
        await staff.close()
    await asyncio.sleep(1.5)
    await simulator.send_text(user, "おはよう")

    inbox = await simulator.settled_inbox(user, count=3)
    assert len(inbox) == 3
    assert texts(inbox)[2].startswith("おはよう！")


async def test_after_a_staff_reply_the_seniors_answer_gets_no_please_wait(
    simulator: Simulator, stack: Stack
) -> None:
    """A person answered: the senior's next message is for them, so Dai-chan's one "please wait"
    of the wait is no longer owed (the helpdesk's `staff_replied` on `helpdesk.events` ends it)."""
    user = new_user_id()
    await simulator.send_text(user, "人と話したい")
    await simulator.wait_for_inbox(user)  # the hand-over notice
    staff = await Staff.login(stack, "tanaka")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo.uri)
    try:
        [ticket] = await staff.wait_ticket_of(user)
        current = await staff.ticket(str(ticket["id"]))
        sent = await staff.post(
            f"/staff/api/tickets/{ticket['id']}/replies",
            {
                "version": current["version"],
                "text": "ヘルプデスクの田中です。どうされましたか？",
                "client_reply_id": f"reply-{uuid4().hex[:12]}",
                "then_wait": True,
            },
        )
        assert sent.status_code == 200, sent.text
        [replied] = await events_of(stack, "helpdesk.events", StaffReplied, key=user)
        # Only to know when ai_chat has handled the event (its claim), not what it did.
        processed = client[AiChatSettings().mongodb_database]["processed_events"]
        await eventually(
            lambda: processed.find_one({"_id": {"$regex": f":{replied.id}$"}}),
            lambda found: found is not None,
            timeout=20.0,
        )

        await simulator.send_text(user, "タブレットの 音が 出ません")
        inbox = await simulator.settled_inbox(user, count=2, quiet=3.0)
        assert texts(inbox)[1] == "ヘルプデスクの田中です。どうされましたか？"
        assert len(inbox) == 2, texts(inbox)  # no 「メッセージ 受けとったで。」 after it
        await give_back_every_conversation(staff, user)
    finally:
        await client.close()
        await staff.close()


async def test_staff_taking_a_conversation_silences_dai_chan_until_they_give_it_back(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    staff = await Staff.login(stack, "tanaka")
    try:
        await take_conversation(staff, user)
        await asyncio.sleep(1.5)
        await simulator.send_text(user, "こんにちは")
        assert await simulator.settled_inbox(user, count=0, quiet=3.0) == []

        await give_back_every_conversation(staff, user)
    finally:
        await staff.close()
    await asyncio.sleep(1.5)
    await simulator.send_text(user, "こんばんは")
    [reply] = texts(await simulator.settled_inbox(user))
    assert reply.startswith("こんばんは！")


async def test_events_stamped_human_mode_are_left_to_the_person(stack: Stack) -> None:
    user = new_user_id()
    await publish(
        stack,
        LINE_INBOUND,
        user,
        MessageReceived(
            user_id=user,
            webhook_event_id=f"wh-{user}",
            message_id="1",
            message_type="text",
            text="こんにちは",
            sent_at=utcnow(),
            conversation_mode=ConversationMode.HUMAN,
        ),
    )
    await asyncio.sleep(2.0)
    assert await send_commands(stack, user, timeout=3.0) == []


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hours_closed_now() -> dict[str, str]:
    """The helpdesk's settings with one working day, two days ahead in Japan time: whenever the
    test runs, "now" is outside the hours and the next opening is that day's 9 o'clock."""
    working_day = DAY_NAMES[(jst_date(utcnow()) + timedelta(days=2)).weekday()]
    return {
        "HELPDESK_BUSINESS_HOURS": "09:00-17:00",
        "HELPDESK_BUSINESS_DAYS": working_day,
        "HELPDESK_OBSERVE_HOLIDAYS": "false",
    }


@pytest.fixture
async def closed_desk(stack: Stack) -> AsyncIterator[BusinessCalendar]:
    """ai_chat restarted with hours that exclude now (and back to the defaults afterwards)."""
    env = hours_closed_now()
    await stack.restart_app("ai_chat", env=env)
    try:
        yield BusinessCalendar.from_settings(
            env["HELPDESK_BUSINESS_HOURS"], env["HELPDESK_BUSINESS_DAYS"], observe_holidays=False
        )
    finally:
        await stack.restart_app("ai_chat")


async def test_a_hand_over_outside_hours_tells_the_senior_the_real_next_opening(
    simulator: Simulator, stack: Stack, closed_desk: BusinessCalendar
) -> None:
    user = new_user_id()
    before = utcnow()
    await simulator.send_text(user, "人と話したい")
    [notice] = texts(await simulator.settled_inbox(user))
    # The opening as said at the moment Dai-chan answered (between these two, across midnight
    # JST "金曜日の" becomes "明日の"): the senior is told the day and hour the desk opens.
    openings = {
        f"ヘルプデスクは {desk_hours(closed_desk, moment).opening_in_words()}から やで"
        for moment in (before, utcnow())
    }
    assert any(opening in notice for opening in openings), notice
    assert "すぐ 返事" not in notice

    await help_requests(stack, user)
    await simulator.send_text(user, "まだかな")
    inbox = await simulator.settled_inbox(user, count=2)
    assert len(inbox) == 2
    acknowledgement = texts(inbox)[1]
    assert acknowledgement.startswith("メッセージ 受けとったで。いま ヘルプデスクは お休みや。")
    assert any(opening in acknowledgement for opening in openings)
