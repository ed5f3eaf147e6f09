"""Dai-chan greets a new friend with the free reply token, and a returning one with おかえり."""

from __future__ import annotations

from services.ai_chat.domain import templates
from services.common.events.contracts.line import SendPriority
from tests.ai_chat.stack_support import quick_reply_data, send_commands
from tests.fixtures.line import Simulator, new_user_id, texts
from tools.devstack.stack import Stack


async def test_new_and_returning_friends_are_greeted(simulator: Simulator, stack: Stack) -> None:
    user = new_user_id()
    await simulator.follow(user)
    greeted = await simulator.settled_inbox(user)
    assert texts(greeted) == [templates.GREETING_NEW]
    assert greeted[0]["via"] == "reply"
    assert "daichan:checkin" in quick_reply_data(greeted)

    await simulator.unfollow(user)
    await simulator.follow(user)

    inbox = await simulator.settled_inbox(user, count=2)
    assert texts(inbox)[1] == templates.GREETING_BACK
    assert {c.data.priority for c in await send_commands(stack, user, count=2)} == {
        SendPriority.LOW
    }
