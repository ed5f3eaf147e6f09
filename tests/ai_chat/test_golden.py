"""Golden conversations (eval/golden.json) against the OpenAI-compatible test server over HTTP.

Each conversation is a script of what a senior says or taps and what must (and must not) happen:
the route and priority of the help request, words that must or must not reach the senior, whether
Dai-chan stays silent, and what the model was (or was not) shown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.common.events.contracts.helpdesk import RequestReason
from services.common.safety import Route
from services.common.store import Tx
from services.common.time import utcnow
from tests.ai_chat.support import Harness, Result
from tests.fixtures.line import new_user_id

GOLDEN = json.loads((Path(__file__).parents[2] / "eval" / "golden.json").read_text("utf-8"))
ROUTE_OF_REASON = {
    RequestReason.EMERGENCY: Route.EMERGENCY.value,
    RequestReason.SELF_HARM: Route.SELF_HARM.value,
    RequestReason.FRAUD_SUSPECTED: Route.FRAUD.value,
    RequestReason.PERSON_REQUESTED: Route.PERSON.value,
}


async def last_chat_request(control: httpx.AsyncClient) -> str:
    found = (await control.get("/control/requests")).json()["requests"]
    chats = [r for r in found if r["endpoint"] == "chat.completions"]
    return json.dumps(chats[-1]["messages"], ensure_ascii=False) if chats else ""


def check(result: Result, expect: dict[str, Any], step: str) -> None:
    text = result.text
    if expect.get("silent"):
        assert result.sends == [], step
        return
    assert result.sends, f"{step}: Dai-chan said nothing"
    if "route" in expect:
        routes = [ROUTE_OF_REASON[r.reason] for r in result.help_requests]
        assert routes == ([expect["route"]] if expect["route"] else []), step
    if "priority" in expect:
        assert [r.priority.value for r in result.help_requests] == [expect["priority"]], step
    if "responder" in expect:
        assert result.outcome.responder == expect["responder"], step
    for word in expect.get("contains", []):
        assert word in text, f"{step}: {word!r} not in {text!r}"
    for word in expect.get("absent", []):
        assert word not in text, f"{step}: {word!r} in {text!r}"


@pytest.mark.parametrize("conversation", GOLDEN, ids=[c["name"] for c in GOLDEN])
async def test_golden_conversation(
    conversation: dict[str, Any], online: Harness, model_control: httpx.AsyncClient
) -> None:
    if conversation.get("control"):
        (await model_control.post("/control", json=conversation["control"])).raise_for_status()
    user = new_user_id()
    for number, turn in enumerate(conversation["turns"], 1):
        step = f"turn {number}"
        if turn.get("handed_back"):

            async def hand_back(tx: Tx) -> None:
                await online.seniors.handed_back(
                    tx, user_id=user, ticket_id="T-golden", at=utcnow()
                )

            await online.store.transaction(hand_back)
            continue
        before = await last_chat_request(model_control)
        if "senior" in turn:
            result = await online.say(user, turn["senior"])
        else:
            result = await online.tap(user, turn["tap"])
        expect = turn.get("expect", {})
        check(result, expect, step)
        shown = await last_chat_request(model_control)
        if expect.get("model_saw") or expect.get("model_did_not_see"):
            assert shown != before, f"{step}: the model was not asked"
        for words in expect.get("model_saw", []):
            assert words in shown, f"{step}: the model did not see {words!r}"
        for words in expect.get("model_did_not_see", []):
            assert words not in shown, f"{step}: the model saw {words!r}"


def test_there_are_golden_conversations_for_every_route() -> None:
    routes = {
        turn.get("expect", {}).get("route")
        for conversation in GOLDEN
        for turn in conversation["turns"]
    }
    assert routes >= {"emergency", "self_harm", "fraud", "person", None}
