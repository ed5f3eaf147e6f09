"""Dai-chan's safety routes end to end: LINE simulator → gateway → ai_chat → helpdesk and LINE.

ai_chat runs without a model here: the safety layer must work with the model down.
"""

from __future__ import annotations

from services.ai_chat.domain import templates
from services.common.events.contracts.helpdesk import Priority, RequestReason
from services.common.events.contracts.line import MessageReceived, PostbackReceived, SendPriority
from services.common.kafka.topics import LINE_INBOUND
from services.common.time import utcnow
from tests.ai_chat.stack_support import (
    events_of,
    help_requests,
    publish,
    quick_reply_data,
    send_commands,
)
from tests.fixtures.line import Simulator, new_user_id, texts
from tools.devstack.stack import Stack


async def test_an_emergency_gets_119_at_once_and_an_urgent_hand_over(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    await simulator.send_text(user, "胸が痛くて、息ができへん")

    inbox = await simulator.settled_inbox(user)
    [only] = texts(inbox)
    assert only.startswith(templates.EMERGENCY_TEXT)
    assert inbox[0]["via"] == "reply"
    assert "119" in texts(inbox)[0]
    assert "#7119" in texts(inbox)[0]

    [request] = await help_requests(stack, user)
    assert (request.reason, request.priority, request.handover) == (
        RequestReason.EMERGENCY,
        Priority.URGENT,
        True,
    )
    [inbound] = await events_of(stack, "line.inbound", MessageReceived, key=user)
    assert request.request_id == f"ai_chat:{inbound.id}"
    [command] = await send_commands(stack, user)
    assert command.data.priority is SendPriority.SAFETY


async def test_fraud_gets_9110_and_a_high_priority_request(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    await simulator.send_text(
        user, "警察官を名乗る人から電話で、キャッシュカードを預かりに来るって"
    )

    [reply] = texts(await simulator.settled_inbox(user))
    assert "#9110" in reply
    assert "家族に 確かめて" in reply
    [request] = await help_requests(stack, user)
    assert (request.reason, request.priority) == (RequestReason.FRAUD_SUSPECTED, Priority.HIGH)


async def test_self_harm_gets_every_hotline_and_an_urgent_request(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    await simulator.send_text(user, "もう生きていたくない")

    [reply] = texts(await simulator.settled_inbox(user))
    for number in ("0120-279-338", "0570-783-556", "0570-064-556"):
        assert number in reply
    [request] = await help_requests(stack, user)
    assert (request.reason, request.priority) == (RequestReason.SELF_HARM, Priority.URGENT)


async def test_asking_for_a_person_hands_over_at_normal_priority(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    await simulator.send_text(user, "人と話したい")

    [only] = texts(await simulator.settled_inbox(user))
    assert only.startswith(templates.PERSON_TEXT)
    [request] = await help_requests(stack, user)
    assert (request.reason, request.priority, request.handover) == (
        RequestReason.PERSON_REQUESTED,
        Priority.NORMAL,
        True,
    )


async def test_look_alikes_get_an_ordinary_answer_and_nobody_is_called(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    for text in ("孫の顔を見て胸がいっぱいや", "死ぬほど笑った", "ATMの場所を知りたい"):
        await simulator.send_text(user, text)
    inbox = await simulator.settled_inbox(user, count=3)
    assert len(texts(inbox)) == 3
    assert all(templates.OFFLINE_LABEL in reply for reply in texts(inbox))
    assert await help_requests(stack, user, timeout=1.0) == []


async def test_the_help_menu_offers_every_route_and_its_buttons_work(
    simulator: Simulator, stack: Stack
) -> None:
    user = new_user_id()
    await publish(stack, LINE_INBOUND, user, _postback(user, "daichan:help"))
    menu = await simulator.wait_for_inbox(user)
    assert texts(menu) == [templates.HELP_MENU_TEXT]
    assert {
        "daichan:help?topic=emergency",
        "daichan:help?topic=fraud",
        "daichan:help?topic=self_harm",
        "daichan:help?topic=person",
        "daichan:my_loan",
        "daichan:sessions",
    } <= set(quick_reply_data(menu))

    await publish(stack, LINE_INBOUND, user, _postback(user, "daichan:help?topic=self_harm"))
    inbox = await simulator.wait_for_inbox(user, count=2)
    assert texts(inbox)[1].startswith(templates.SELF_HARM_TEXT)
    [request] = await help_requests(stack, user)
    assert request.priority is Priority.URGENT


def _postback(user: str, data: str) -> PostbackReceived:
    return PostbackReceived(
        user_id=user, webhook_event_id=f"wh-{data}", data=data, sent_at=utcnow()
    )
