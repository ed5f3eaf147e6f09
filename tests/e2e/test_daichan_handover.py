"""Hand-over to a person: Dai-chan stays silent until the helpdesk hands the conversation back.

Dai-chan keeps its own record from `helpdesk.events` (line_gateway's mode stamp is built in
parallel), so these tests publish the helpdesk's hand-over events themselves; if the helpdesk
already handed over on its own, its ticket is handed back too.
"""

from __future__ import annotations

import asyncio

from services.common.events.contracts.line import ConversationMode, MessageReceived
from services.common.kafka.topics import LINE_INBOUND
from services.common.time import utcnow
from tests.ai_chat.stack_support import help_requests, publish, send_commands
from tests.fixtures.line import Simulator, new_user_id, texts
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
    assert len(await simulator.settled_inbox(user, quiet=3.0)) == 1  # the hand-over notice only

    staff = await Staff.login(stack, "tanaka")
    try:
        await staff.wait_ticket_of(user)
        await give_back_every_conversation(staff, user)
    finally:
        await staff.close()
    await asyncio.sleep(1.5)
    await simulator.send_text(user, "おはよう")

    inbox = await simulator.settled_inbox(user, count=2)
    assert len(inbox) == 2
    assert texts(inbox)[1].startswith("おはよう！")


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
