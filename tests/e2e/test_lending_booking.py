"""Booking a follow-up session from LINE, on the real stack.

line_gateway turns a tapped postback button into `line.postback.received` on `line.inbound`,
stamped with the participant the sender is linked to (the gateway owns the link). Most tests here
publish that event themselves with the real producer, exactly as the gateway does; the last test
links and taps the button in the LINE simulator, end to end.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from services.common.events import decode_event, encode_event, new_event
from services.common.events.contracts.lending import SessionBooked
from services.common.events.contracts.line import PostbackReceived
from services.common.link_codes import link_code_digest
from services.common.time import utcnow
from tests.fixtures.kafka import produce, wait_for_records
from tests.fixtures.line import Simulator, new_user_id, texts
from tests.fixtures.stack import LINK_CODE_SECRET
from tests.fixtures.waiting import eventually
from tests.line_gateway.support import gateway_db, gateway_user
from tests.tablet_lending.support import LendingApi, jst, link, today_jst
from tools.devstack.stack import Stack


async def linked_participants(
    stack: Stack, api: LendingApi, boss: LendingApi, count: int
) -> tuple[str, list[tuple[str, str]]]:
    cohort = await api.cohort()
    ids = await api.enrolled(cohort["cohort_id"], count=count)
    await boss.draw(cohort["cohort_id"])
    users = [await link(stack, api, participant_id) for participant_id in ids]
    return cohort["cohort_id"], list(zip(ids, users, strict=True))


async def follow_up(api: LendingApi, cohort_id: str, capacity: int = 1) -> dict[str, Any]:
    day = today_jst() + timedelta(days=3)
    return await api.session(
        cohort_id, kind="follow_up", starts=jst(day, 14), ends=jst(day, 15, 30), capacity=capacity
    )


async def tap(stack: Stack, user: str, data: str, *, participant: str | None) -> bytes:
    """What line_gateway publishes when a senior taps a postback button: stamped with the
    participant the sender is linked to (None: not linked)."""
    event = new_event(
        PostbackReceived(
            user_id=user,
            webhook_event_id=uuid4().hex.upper(),
            data=data,
            sent_at=utcnow(),
            participant_id=participant,
        ),
        source="line_gateway",
    )
    value = encode_event(event)
    await produce(stack.kafka.bootstrap_servers, "line.inbound", key=user.encode(), value=value)
    return value


async def test_a_linked_senior_books_a_follow_up_and_gets_a_japanese_confirmation_once(
    stack: Stack, api: LendingApi, boss: LendingApi, simulator: Simulator
) -> None:
    cohort_id, [(participant_id, user)] = await linked_participants(stack, api, boss, 1)
    session = await follow_up(api, cohort_id)

    sent = await tap(
        stack, user, f"lending:book?session={session['session_id']}", participant=participant_id
    )

    inbox = await simulator.wait_for_inbox(user)
    [confirmation] = texts(inbox)
    # In Dai-chan's voice and time format, the same as Dai-chan's own session answers.
    assert "予約が できたで" in confirmation
    assert "試験会場" in confirmation
    assert "午後2時から 午後3時30分まで" in confirmation
    [button] = inbox[0]["messages"][0]["quickReply"]["items"]
    assert button["action"]["data"] == f"lending:cancel?session={session['session_id']}"
    booked = await api.ok("GET", f"/sessions/{session['session_id']}")
    assert booked["seats_left"] == 0
    roster = await api.ok("GET", f"/sessions/{session['session_id']}/registrations")
    assert [(r["participant_id"], r["via"], r["status"]) for r in roster] == [
        (participant_id, "line", "booked")
    ]
    records = await wait_for_records(
        stack.kafka.bootstrap_servers, "lending.events", key=participant_id.encode(), count=2
    )
    assert any(isinstance(decode_event(r.value).data, SessionBooked) for r in records)

    # Kafka redelivers the very same event: nothing is booked or answered twice.
    await produce(stack.kafka.bootstrap_servers, "line.inbound", key=user.encode(), value=sent)
    assert len(await simulator.settled_inbox(user, quiet=3.0)) == 1

    # Tapping again is a new tap: the senior is told they are already booked.
    await tap(
        stack, user, f"lending:book?session={session['session_id']}", participant=participant_id
    )
    inbox = await simulator.wait_for_inbox(user, count=2)
    assert "もう 申し込み済み" in texts(inbox)[1]

    await tap(
        stack, user, f"lending:cancel?session={session['session_id']}", participant=participant_id
    )
    inbox = await simulator.wait_for_inbox(user, count=3)
    assert "取り消したで" in texts(inbox)[2]
    assert (await api.ok("GET", f"/sessions/{session['session_id']}"))["seats_left"] == 1


async def test_refusals_are_explained_kindly(
    stack: Stack, api: LendingApi, boss: LendingApi, simulator: Simulator
) -> None:
    cohort_id, [(one, first), (two, second)] = await linked_participants(stack, api, boss, 2)
    session = await follow_up(api, cohort_id, capacity=1)
    await tap(stack, first, f"lending:book?session={session['session_id']}", participant=one)
    await simulator.wait_for_inbox(first)

    await tap(stack, second, f"lending:book?session={session['session_id']}", participant=two)
    assert "満席" in texts(await simulator.wait_for_inbox(second))[0]

    stranger = new_user_id()
    await tap(stack, stranger, f"lending:book?session={session['session_id']}", participant=None)
    assert "8けたの 番号" in texts(await simulator.wait_for_inbox(stranger))[0]

    await tap(stack, second, "lending:book?session=S-doesnotexist", participant=two)
    assert "見つからへんかった" in texts(await simulator.wait_for_inbox(second, count=2))[1]

    await tap(stack, second, "lending:book", participant=two)
    assert "もう一度" in texts(await simulator.wait_for_inbox(second, count=3))[2]

    # Another service's postback is not ours to answer.
    await tap(stack, second, "daichan:my_loan", participant=two)
    other = await simulator.settled_inbox(second, count=3, quiet=2.0)
    assert not [t for t in texts(other)[3:] if "予約" in t]


async def test_a_tap_books_for_the_participant_it_is_stamped_with_not_lendings_link_copy(
    stack: Stack, api: LendingApi, boss: LendingApi, simulator: Simulator
) -> None:
    cohort = await api.cohort()
    stamped, linked_here, unheard_of = await api.enrolled(cohort["cohort_id"], count=3)
    await boss.draw(cohort["cohort_id"])
    session = await follow_up(api, cohort["cohort_id"], capacity=3)
    booking = f"lending:book?session={session['session_id']}"
    # Lending's copy says this sender is another participant (a link the gateway has since moved).
    relinked = await link(stack, api, linked_here)
    # And this sender's link lending has not heard of at all.
    newcomer = new_user_id()

    await tap(stack, relinked, booking, participant=stamped)
    await tap(stack, newcomer, booking, participant=unheard_of)

    assert "予約が できたで" in texts(await simulator.wait_for_inbox(relinked))[0]
    assert "予約が できたで" in texts(await simulator.wait_for_inbox(newcomer))[0]
    roster = await api.ok("GET", f"/sessions/{session['session_id']}/registrations")
    assert sorted((r["participant_id"], r["via"], r["status"]) for r in roster) == sorted(
        [(stamped, "line", "booked"), (unheard_of, "line", "booked")]
    )


async def test_an_unstamped_tap_gets_the_not_linked_answer_whatever_lendings_copy_says(
    stack: Stack, api: LendingApi, boss: LendingApi, simulator: Simulator
) -> None:
    cohort_id, [(_, user)] = await linked_participants(stack, api, boss, 1)
    session = await follow_up(api, cohort_id)
    booking = f"lending:book?session={session['session_id']}"

    await tap(stack, user, booking, participant=None)
    assert "8けたの 番号" in texts(await simulator.wait_for_inbox(user))[0]

    # A stamp naming nobody lending knows (another environment's id) books nothing either.
    stranger = new_user_id()
    await tap(stack, stranger, booking, participant="P-unknown-elsewhere")
    assert "8けたの 番号" in texts(await simulator.wait_for_inbox(stranger))[0]

    assert (await api.ok("GET", f"/sessions/{session['session_id']}"))["seats_left"] == 1
    assert await api.ok("GET", f"/sessions/{session['session_id']}/registrations") == []


async def linked_through_the_gateway(
    stack: Stack, api: LendingApi, simulator: Simulator, participant_id: str
) -> str:
    """A senior who follows the account and sends the code staff issued, as in real life."""
    issued = await api.ok("POST", f"/participants/{participant_id}/link-code")
    digest = link_code_digest(secret=LINK_CODE_SECRET, code=issued["code"])

    async def gateway_has_the_code() -> bool:
        async with gateway_db(stack) as db:
            return await db.link_codes.find_one({"_id": digest}) is not None

    assert await eventually(gateway_has_the_code, bool, timeout=20.0)
    user = new_user_id()
    await simulator.follow(user)
    greeting = len(await simulator.wait_for_inbox(user))
    await simulator.send_text(user, f"連携 {issued['code']}")
    assert "連携" in texts(await simulator.wait_for_inbox(user, count=greeting + 1))[-1]
    gateway = await eventually(
        lambda: gateway_user(stack, user), lambda d: bool(d and d.get("participant_id"))
    )
    assert gateway is not None
    assert gateway["participant_id"] == participant_id
    return user


async def test_booking_from_the_line_simulator_end_to_end(
    stack: Stack, api: LendingApi, boss: LendingApi, simulator: Simulator
) -> None:
    """LINE simulator → line_gateway → tablet_lending → line_gateway → LINE (reply token).

    Linked through the gateway, which stamps the tap: lending books from the stamp alone."""
    cohort = await api.cohort()
    [participant_id] = await api.enrolled(cohort["cohort_id"])
    await boss.draw(cohort["cohort_id"])
    session = await follow_up(api, cohort["cohort_id"])
    user = await linked_through_the_gateway(stack, api, simulator, participant_id)
    before = len(await simulator.settled_inbox(user, quiet=1.0))

    response = await simulator.http.post(
        f"/sim/users/{user}/postbacks",
        json={"data": f"lending:book?session={session['session_id']}", "displayText": "予約する"},
    )

    assert response.json()["status"] == 200
    inbox = (await simulator.settled_inbox(user, count=before + 1, quiet=3.0))[before:]
    assert len(inbox) == 1
    assert inbox[0]["via"] == "reply"
    assert "予約が できたで" in texts(inbox)[0]
    assert (await api.ok("GET", f"/sessions/{session['session_id']}"))["seats_left"] == 0
