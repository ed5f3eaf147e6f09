"""「忘れて」 end to end: after a confirmation, everything Dai-chan kept about a senior is gone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.ai_chat.domain import templates
from services.ai_chat.settings import AiChatSettings
from tests.ai_chat.stack_support import quick_reply_data
from tests.fixtures.line import Simulator, new_user_id, texts
from tools.devstack.stack import Stack


@pytest.fixture
async def ai_chat_db(stack: Stack) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo.uri, tz_aware=True)
    try:
        yield client[AiChatSettings().mongodb_database]
    finally:
        await client.close()


async def test_forget_erases_turns_and_memory_after_a_yes(
    simulator: Simulator, ai_chat_db: AsyncDatabase[dict[str, Any]]
) -> None:
    db = ai_chat_db  # the ai_chat service's own database, read only to check the erase
    user, other = new_user_id(), new_user_id()
    await simulator.send_text(user, "みっちゃんって呼んで")
    await simulator.send_text(other, "ハナコって呼んで")
    await simulator.wait_for_inbox(user)
    await simulator.wait_for_inbox(other)
    remembered = await db["seniors"].find_one({"_id": user})
    assert remembered is not None
    assert remembered["memory"]["preferred_name"] == "みっちゃん"
    assert [t["role"] for t in remembered["memory"]["turns"]] == ["senior", "daichan"]

    await simulator.send_text(user, "忘れて")
    asked = await simulator.wait_for_inbox(user, count=2)
    assert texts(asked)[1] == templates.FORGET_CONFIRM_TEXT
    assert quick_reply_data(asked[1:]) == [
        "daichan:forget?confirm=yes",
        "daichan:forget?confirm=no",
    ]
    await simulator.send_text(user, "はい")

    inbox = await simulator.settled_inbox(user, count=3)
    assert texts(inbox)[2] == templates.FORGOTTEN_TEXT
    forgotten = await db["seniors"].find_one({"_id": user})
    assert forgotten is not None
    assert "memory" not in forgotten
    # Nothing of one senior's memory is touched by another's 「忘れて」, nor shared with them.
    kept = await db["seniors"].find_one({"_id": other})
    assert kept is not None
    assert kept["memory"]["preferred_name"] == "ハナコ"
