"""Account linking with one-time codes, and hand-over modes, on the real stack.

tablet_lending's side is played by publishing `lending.link_code.issued` with the real producer;
helpdesk's by publishing `helpdesk.conversation.handed_over/back`.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import timedelta

from services.common.events.contracts.helpdesk import (
    ConversationHandedBack,
    ConversationHandedOver,
)
from services.common.events.contracts.lending import LinkCodeIssued
from services.common.events.contracts.line import (
    AccountLinked,
    ConversationMode,
    MessageReceived,
)
from services.common.time import utcnow
from services.line_gateway.domain import texts
from tests.fixtures.line import Simulator, new_user_id
from tests.fixtures.line import texts as inbox_texts
from tests.fixtures.waiting import eventually
from tests.helpdesk.support import Staff, give_back_every_conversation, take_conversation
from tests.line_gateway.support import (
    events_for,
    gateway_user,
    issue_link_code,
    metric,
    metrics,
    new_code,
    publish,
    wait_for_events,
)
from tools.devstack.stack import Stack


def full_width(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


async def test_a_valid_code_links_the_senior_and_never_reaches_dai_chan(
    simulator: Simulator, stack: Stack
) -> None:
    user, participant, code = new_user_id(), "P-" + new_user_id()[-8:], new_code()
    await issue_link_code(stack, participant_id=participant, code=code)

    # Seniors type codes their own way: full-width digits, a word in front, a space inside.
    sent = await simulator.send_text(user, f"連携 {full_width(code[:4])} {full_width(code[4:])}")
    assert sent["status"] == 200
    assert sent["elapsedMs"] < 2000  # checked inside the webhook, within LINE's budget

    inbox = await simulator.settled_inbox(user)
    assert inbox_texts(inbox) == [texts.LINK_SUCCESS]
    assert inbox[0]["via"] == "reply"
    [linked] = await wait_for_events(stack, "line.inbound", user, kind=AccountLinked)
    assert linked.participant_id == participant
    assert not [
        e for e in await events_for(stack, "line.inbound", user) if isinstance(e, MessageReceived)
    ]
    stored = await gateway_user(stack, user)
    assert stored is not None
    assert stored["participant_id"] == participant
    # Linked seniors see the menu with わたしのタブレット.
    shown = await eventually(
        lambda: simulator.http.get(f"/sim/users/{user}/richmenu"),
        lambda r: r.json()["source"] == "user",
    )
    labels = [a["action"]["label"] for a in shown.json()["menu"]["areas"]]
    assert "わたしのタブレット" in labels


async def test_messages_before_a_link_carry_no_participant_and_after_it_the_linked_one(
    simulator: Simulator, stack: Stack
) -> None:
    user, participant, code = new_user_id(), "P-" + new_user_id()[-8:], new_code()
    await issue_link_code(stack, participant_id=participant, code=code)

    await simulator.send_text(user, "こんにちは")
    await simulator.send_text(user, code)
    await simulator.send_text(user, "こんにちは")

    # line_gateway owns the link: readers take the participant from the message itself.
    messages = await wait_for_events(stack, "line.inbound", user, kind=MessageReceived, count=2)
    assert [m.participant_id for m in messages] == [None, participant]


async def test_a_used_code_is_refused_kindly(simulator: Simulator, stack: Stack) -> None:
    first, second, code = new_user_id(), new_user_id(), new_code()
    participant = "P-" + first[-8:]
    await issue_link_code(stack, participant_id=participant, code=code)
    await simulator.send_text(first, code)
    assert inbox_texts(await simulator.wait_for_inbox(first)) == [texts.LINK_SUCCESS]

    await simulator.send_text(second, code)
    await simulator.send_text(first, code)

    assert inbox_texts(await simulator.settled_inbox(second)) == [texts.LINK_USED]
    # The senior who linked with it is told all is well.
    assert inbox_texts(await simulator.settled_inbox(first, count=2))[-1] == texts.LINK_ALREADY
    stored = await gateway_user(stack, second)
    assert stored is not None
    assert stored.get("participant_id") is None


async def test_an_expired_code_is_refused_kindly(simulator: Simulator, stack: Stack) -> None:
    user, code = new_user_id(), new_code()
    await issue_link_code(
        stack, participant_id="P-" + user[-8:], code=code, expires_in=timedelta(minutes=-5)
    )

    await simulator.send_text(user, code)

    assert inbox_texts(await simulator.settled_inbox(user)) == [texts.LINK_EXPIRED]
    assert await events_for(stack, "line.inbound", user) == []


async def test_guessing_is_stopped_after_five_wrong_codes(
    simulator: Simulator, stack: Stack
) -> None:
    user, code = new_user_id(), new_code()
    participant = "P-" + user[-8:]
    await issue_link_code(stack, participant_id=participant, code=code)
    wrong = [f"{(int(code) + n) % 10**8:08d}" for n in range(1, 6)]
    for guess in wrong:
        await simulator.send_text(user, guess)
    assert inbox_texts(await simulator.wait_for_inbox(user, count=5)) == [texts.LINK_WRONG] * 5

    # Even the right code waits now, and stays unused for later.
    await simulator.send_text(user, code)

    inbox = await simulator.settled_inbox(user, count=6)
    assert inbox_texts(inbox)[-1] == texts.LINK_RATE_LIMITED
    assert not [
        e for e in await events_for(stack, "line.inbound", user) if isinstance(e, AccountLinked)
    ]
    other = new_user_id()
    await simulator.send_text(other, code)
    assert inbox_texts(await simulator.settled_inbox(other)) == [texts.LINK_SUCCESS]
    text = await metrics(stack)
    for outcome in ("linked", "wrong_code", "rate_limited"):
        assert metric(text, "sslp_line_link_attempts_total", {"outcome": outcome}) >= 1


async def test_hand_over_to_a_person_and_back(simulator: Simulator, stack: Stack) -> None:
    user = new_user_id()
    staff = await Staff.login(stack, "tanaka")
    try:
        await take_conversation(staff, user)
        await eventually(
            lambda: gateway_user(stack, user), lambda doc: bool(doc and doc["mode"] == "human")
        )

        await simulator.send_text(user, "人と話したいです")
        [message] = await wait_for_events(stack, "line.inbound", user, kind=MessageReceived)
        assert message.conversation_mode is ConversationMode.HUMAN
        await asyncio.sleep(2)
        assert await simulator.inbox(user) == []  # Dai-chan stays silent for a person's ticket
        assert (await simulator.http.get(f"/sim/loading/{user}")).json()["calls"] == []

        await give_back_every_conversation(staff, user)
    finally:
        await staff.close()
    await eventually(
        lambda: gateway_user(stack, user), lambda doc: bool(doc and doc["mode"] == "bot")
    )
    await simulator.send_text(user, "ありがとう")
    messages = await wait_for_events(stack, "line.inbound", user, kind=MessageReceived, count=2)
    assert messages[-1].conversation_mode is ConversationMode.BOT
    assert len(await simulator.wait_for_inbox(user)) == 1


async def test_an_older_hand_over_does_not_undo_a_later_hand_back(stack: Stack) -> None:
    user = new_user_id()
    now = utcnow()
    await publish(
        stack,
        "helpdesk.events",
        key="T-new",
        data=ConversationHandedBack(ticket_id="T-new", line_user_id=user, at=now),
        source="helpdesk",
    )
    await eventually(lambda: gateway_user(stack, user), lambda doc: doc is not None)
    await publish(
        stack,
        "helpdesk.events",
        key="T-old",
        data=ConversationHandedOver(
            ticket_id="T-old", line_user_id=user, at=now - timedelta(minutes=5)
        ),
        source="helpdesk",
    )
    await asyncio.sleep(2)
    stored = await gateway_user(stack, user)
    assert stored is not None
    assert stored["mode"] == "bot"


async def test_a_code_published_the_v1_way_is_not_honoured(
    simulator: Simulator, stack: Stack
) -> None:
    """v1 put sha256(salt + code) on the topic, which anyone reading it reverses in seconds: such
    a code is not honoured (reissued codes travel as v2's keyed digest)."""
    user, participant, code = new_user_id(), "P-" + new_user_id()[-8:], new_code()
    salt = secrets.token_hex(8)
    await publish(
        stack,
        "lending.events",
        key=participant,
        data=LinkCodeIssued(
            participant_id=participant,
            code_sha256=hashlib.sha256((salt + code).encode()).hexdigest(),
            salt=salt,
            expires_at=utcnow() + timedelta(days=7),
        ),
        source="tablet_lending",
    )
    # A v2 code for the same participant goes to the same partition and lane after it: once the
    # gateway has that one, it has handled the v1 event too.
    await issue_link_code(stack, participant_id=participant, code=new_code())

    sent = await simulator.send_text(user, code)
    assert sent["status"] == 200
    assert inbox_texts(await simulator.settled_inbox(user)) == [texts.LINK_WRONG]
    assert (
        await gateway_user(stack, user) is None
        or (await gateway_user(stack, user) or {}).get("participant_id") is None
    )
