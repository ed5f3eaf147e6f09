"""While a senior waits for a person: one honest acknowledgement per wait, never silence, never two.

On a real mongod through the recorder, as the consumer commits; the desk's hours are chosen
(closed) and the clock is fixed, so nothing depends on the time the tests run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.ai_chat.consumers.helpdesk import HelpdeskHandlers
from services.ai_chat.domain import templates
from services.ai_chat.domain.hours import desk_hours
from services.ai_chat.domain.outcome import Inbound
from services.ai_chat.domain.seniors import Human
from services.common.calendar import BusinessCalendar
from services.common.events.contracts.helpdesk import StaffReplied
from services.common.events.contracts.line import MessageReceived
from services.common.events.envelope import new_event
from services.common.store import MongoStore, Tx
from services.common.time import JST
from tests.ai_chat.support import Harness
from tests.fixtures.line import new_user_id

DESK = BusinessCalendar()  # 09:00-17:00 on weekdays
AT_0320 = datetime(2026, 12, 2, 3, 20, tzinfo=JST)  # a Wednesday, before the desk opens


async def night_desk(store: MongoStore, clock: list[datetime] | None = None) -> Harness:
    moments = clock if clock is not None else [AT_0320]
    harness = Harness(store, model=None, calendar=DESK, clock=lambda: moments[0])
    await harness.prepare()
    return harness


async def hand_over(harness: Harness, user: str, ticket: str) -> None:
    async def taken(tx: Tx) -> None:
        await harness.seniors.handed_over(tx, user_id=user, ticket_id=ticket)

    await harness.store.transaction(taken)


async def hand_back(harness: Harness, user: str, ticket: str, at: datetime) -> None:
    async def back(tx: Tx) -> None:
        await harness.seniors.handed_back(tx, user_id=user, ticket_id=ticket, at=at)

    await harness.store.transaction(back)


async def staff_replied(harness: Harness, user: str, ticket: str, at: datetime) -> None:
    """The helpdesk's event for a staff reply, handled as the consumer handles it."""
    handlers = HelpdeskHandlers(seniors=harness.seniors)
    envelope = new_event(
        StaffReplied(ticket_id=ticket, line_user_id=user, at=at), source="helpdesk"
    )

    async def replied(tx: Tx) -> None:
        await handlers.on_staff_replied(envelope, tx)

    await harness.store.transaction(replied)


def test_a_staff_reply_ends_the_wait_it_answers_and_no_newer_one() -> None:
    waiting = Human(tickets=["T1"], waiting_since=AT_0320)
    assert waiting.wait_answered(AT_0320 + timedelta(minutes=1)) == AT_0320
    assert waiting.wait_answered(AT_0320) == AT_0320
    # A reply from before this wait (replayed, or crossing a new request) ends nothing.
    assert waiting.wait_answered(AT_0320 - timedelta(seconds=1)) is None
    assert Human(tickets=["T1"]).wait_answered(AT_0320) is None
    acknowledged = Human(tickets=["T1"], waiting_since=AT_0320, acknowledged=AT_0320)
    assert acknowledged.wait_answered(AT_0320 + timedelta(minutes=1)) == AT_0320


async def test_a_request_at_0320_says_the_desk_opens_at_nine(store: MongoStore) -> None:
    harness = await night_desk(store)
    result = await harness.say(new_user_id(), "人と話したい")
    [text] = result.texts
    assert "ヘルプデスクは 今日の 午前9時から やで" in text
    assert "少し 待っててな" not in text


async def test_messages_while_waiting_get_one_acknowledgement_per_wait(store: MongoStore) -> None:
    clock = [AT_0320]
    harness = await night_desk(store, clock)
    user = new_user_id()
    await harness.say(user, "人と話したい")
    await hand_over(harness, user, "T1")

    first = await harness.say(user, "まだですか")
    second = await harness.say(user, "おーい")
    third = await harness.say(user, "だれか いますか")

    assert first.texts == [templates.waiting_text(desk_hours(DESK, AT_0320))]
    assert "今日の 午前9時から" in first.texts[0]
    assert (second.sends, third.sends) == ([], [])
    assert second.outcome.skipped == "human_mode"

    # Handed back, then asked again: a new wait, acknowledged once again.
    clock[0] = AT_0320 + timedelta(minutes=10)
    await hand_back(harness, user, "T1", at=clock[0])
    clock[0] += timedelta(minutes=1)
    await harness.say(user, "やっぱり 人と話したい")
    await hand_over(harness, user, "T2")
    again = await harness.say(user, "まだかな")
    assert len(again.texts) == 1
    assert again.texts[0].startswith("メッセージ 受けとったで。")


async def test_two_messages_decided_before_either_is_recorded_send_one(store: MongoStore) -> None:
    """Decided from stored state and checked again in the recording transaction: two messages
    (or a redelivery decided afresh) that both saw the wait unacknowledged send it once."""
    harness = await night_desk(store)
    user = new_user_id()
    await harness.say(user, "人と話したい")
    await hand_over(harness, user, "T1")

    decided = []
    for text in ("まだですか", "おーい"):
        envelope = new_event(
            MessageReceived(
                user_id=user,
                webhook_event_id=f"w-{text}",
                message_id=text,
                message_type="text",
                text=text,
                sent_at=AT_0320,
            ),
            source="test",
        )
        inbound = Inbound(
            event_id=envelope.id, user_id=user, sent_at=AT_0320, via="text", text=text
        )
        decided.append((envelope, inbound, await harness.dialogue.on_text(inbound)))
    assert all(outcome.messages for _, _, outcome in decided)  # both saw it owed

    sends = []
    for envelope, inbound, outcome in decided:
        await harness.commit(envelope, inbound, outcome)
        sends += (await harness.emitted(envelope.id, outcome)).sends
    assert len(sends) == 1


async def test_a_conversation_staff_took_themselves_stays_silent(store: MongoStore) -> None:
    """No acknowledgement without a wait Dai-chan started: staff are already talking."""
    harness = await night_desk(store)
    user = new_user_id()
    await hand_over(harness, user, "T-staff")
    result = await harness.say(user, "こんにちは")
    assert result.sends == []


async def test_after_a_staff_reply_the_seniors_messages_are_left_to_the_person(
    store: MongoStore,
) -> None:
    """A person is talking: the senior's answer to them gets no "please wait" from Dai-chan, and
    a later request for a person is a new wait, acknowledged again (a replay of the old reply
    does not end it)."""
    clock = [AT_0320]
    harness = await night_desk(store, clock)
    user = new_user_id()
    await harness.say(user, "人と話したい")
    await hand_over(harness, user, "T1")
    clock[0] += timedelta(minutes=2)
    await staff_replied(harness, user, "T1", at=clock[0])

    answer = await harness.say(user, "タブレットの 音が 出ません")
    assert answer.sends == []
    assert answer.outcome.skipped == "human_mode"
    assert (await harness.seniors.get(user)).human.waiting_since is None

    clock[0] += timedelta(minutes=5)
    await hand_back(harness, user, "T1", at=clock[0])
    clock[0] += timedelta(minutes=1)
    await harness.say(user, "やっぱり 人と話したい")
    await hand_over(harness, user, "T2")
    await staff_replied(harness, user, "T1", at=AT_0320 + timedelta(minutes=2))  # replayed
    again = await harness.say(user, "まだかな")
    assert len(again.texts) == 1
    assert again.texts[0].startswith("メッセージ 受けとったで。")
