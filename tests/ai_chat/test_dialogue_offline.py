"""Dai-chan without a model: safety, silence, memory, programme answers, buttons, friendship."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from services.ai_chat.consumers.recording import help_request_id
from services.ai_chat.domain import templates
from services.ai_chat.domain.outcome import Inbound
from services.common.events.contracts.helpdesk import Priority, RequestReason
from services.common.events.contracts.lending import SessionScheduled
from services.common.events.contracts.line import (
    MessageAction,
    PostbackAction,
    SendPriority,
)
from services.common.safety import Route
from services.common.store import Tx
from services.common.time import utcnow
from tests.ai_chat.support import Harness, link_with_loan, said, session_view, text_message
from tests.fixtures.line import new_user_id


async def test_an_emergency_gets_the_fixed_119_text_and_an_urgent_hand_over(
    offline: Harness,
) -> None:
    user = new_user_id()

    result = await offline.say(user, "胸が痛くて息ができへん")

    [send] = result.sends
    assert send.priority is SendPriority.SAFETY
    assert send.purpose == "ai_chat.safety"
    assert send.messages[0].text == said(Route.EMERGENCY)
    [request] = result.help_requests
    assert request.reason is RequestReason.EMERGENCY
    assert request.priority is Priority.URGENT
    assert request.handover is True
    assert request.line_user_id == user
    assert request.request_id.startswith("ai_chat:")
    assert "胸が痛くて息ができへん" in request.summary


async def test_after_a_hand_over_dai_chan_is_silent_until_staff_hand_back(offline: Harness) -> None:
    user = new_user_id()
    await offline.say(user, "人と話したい")

    acknowledged = await offline.say(user, "まだですか")
    assert acknowledged.texts[0].startswith("メッセージ 受けとったで。")
    quiet = await offline.say(user, "まだかな")
    assert quiet.sends == []
    assert quiet.outcome.skipped == "human_mode"

    async def hand_over_and_back(tx: Tx) -> None:
        await offline.seniors.handed_over(tx, user_id=user, ticket_id="T1")
        await offline.seniors.handed_back(tx, user_id=user, ticket_id="T1", at=utcnow())

    await offline.store.transaction(hand_over_and_back)
    again = await offline.say(user, "こんにちは")
    assert again.texts
    assert again.texts[0].startswith("こんにちは！")


async def test_a_person_request_is_a_normal_priority_hand_over(offline: Harness) -> None:
    result = await offline.say(new_user_id(), "ヘルプデスクの人と話したい")
    assert result.texts == [said(Route.PERSON)]
    assert result.sends[0].priority is SendPriority.SERVICE
    [request] = result.help_requests
    assert (request.reason, request.priority, request.handover) == (
        RequestReason.PERSON_REQUESTED,
        Priority.NORMAL,
        True,
    )


async def test_a_help_request_names_the_participant_stamped_on_the_message(
    offline: Harness,
) -> None:
    linked, unlinked = new_user_id(), new_user_id()
    offline.links[linked] = "P-stamped"
    first = await offline.say(linked, "ヘルプデスクの人と話したい")
    other = await offline.say(unlinked, "ヘルプデスクの人と話したい")
    # Unlinked since (by the gateway): ai_chat heard of it only through the next message.
    del offline.links[linked]
    later = await offline.say(linked, "110番に電話したほうがいい？泥棒が入った")

    assert [r.participant_id for r in first.help_requests] == ["P-stamped"]
    assert [r.participant_id for r in other.help_requests] == [None]
    assert [r.participant_id for r in later.help_requests] == [None]
    assert (await offline.senior(linked)).participant_id is None


async def test_fraud_gets_9110_and_188_when_it_is_about_bills(offline: Harness) -> None:
    phone = await offline.say(new_user_id(), "息子から電話で、携帯の番号が変わったって")
    bills = await offline.say(new_user_id(), "身に覚えのない請求のメールが来た")
    assert "#9110" in phone.text
    assert "188" not in phone.text
    assert "#9110" in bills.text
    assert "188" in bills.text
    assert phone.help_requests[0].priority is Priority.HIGH
    assert phone.help_requests[0].reason is RequestReason.FRAUD_SUSPECTED
    assert phone.sends[0].priority is SendPriority.SAFETY


async def test_self_harm_gets_every_hotline(offline: Harness) -> None:
    result = await offline.say(new_user_id(), "もう消えたい")
    assert result.texts == [said(Route.SELF_HARM)]
    assert result.help_requests[0].priority is Priority.URGENT


async def test_look_alikes_get_an_ordinary_answer_and_no_request(offline: Harness) -> None:
    for text in ("孫の結婚式で胸がいっぱいになった", "死ぬほど笑った", "ATMの場所を知りたい"):
        result = await offline.say(new_user_id(), text)
        assert result.help_requests == [], text
        assert result.sends[0].priority is SendPriority.CONVERSATION
        assert templates.OFFLINE_LABEL in result.text


async def test_in_human_mode_only_emergency_and_self_harm_guidance_break_the_silence(
    offline: Harness,
) -> None:
    user = new_user_id()
    chat = await offline.say(user, "こんにちは", human_mode=True)
    fraud = await offline.say(user, "還付金があると電話があった", human_mode=True)
    emergency = await offline.say(user, "胸が痛い", human_mode=True)

    assert chat.sends == []
    assert fraud.sends == []
    assert emergency.texts == [said(Route.EMERGENCY)]
    assert emergency.help_requests[0].priority is Priority.URGENT


async def test_a_repeated_emergency_while_a_person_has_it_opens_no_second_request(
    offline: Harness,
) -> None:
    user = new_user_id()
    first = await offline.say(user, "胸が痛い")
    second = await offline.say(user, "まだ胸が痛い")
    assert len(first.help_requests) == 1
    assert second.texts == [said(Route.EMERGENCY)]
    assert second.help_requests == []


async def test_the_same_event_always_means_the_same_request_id(offline: Harness) -> None:
    event_id = uuid4()
    assert help_request_id(event_id) == help_request_id(event_id) == f"ai_chat:{event_id}"


async def test_forget_asks_first_then_erases_turns_summary_and_facts(offline: Harness) -> None:
    user = new_user_id()
    await offline.say(user, "みっちゃんって呼んで")
    await offline.say(user, "趣味は釣りです")
    senior = await offline.senior(user)
    assert senior.memory.preferred_name == "みっちゃん"
    assert senior.memory.interests == ["釣り"]

    asked = await offline.say(user, "忘れて")
    assert asked.texts == [templates.FORGET_CONFIRM_TEXT]
    assert [q.label for q in asked.quick_replies] == ["はい", "いいえ"]
    assert await offline.turns(user) != []

    erased = await offline.say(user, "はい")
    assert erased.texts == [templates.FORGOTTEN_TEXT]
    assert await offline.turns(user) == []
    assert (await offline.senior(user)).memory.is_empty()


async def test_forget_can_be_declined_and_by_button(offline: Harness) -> None:
    user = new_user_id()
    await offline.say(user, "よしこって呼んで")
    await offline.tap(user, "daichan:forget")
    kept = await offline.tap(user, "daichan:forget?confirm=no")
    assert kept.texts == [templates.FORGET_KEPT_TEXT]
    assert (await offline.senior(user)).memory.preferred_name == "よしこ"
    await offline.tap(user, "daichan:forget?confirm=yes")
    assert (await offline.senior(user)).memory.preferred_name is None


async def test_one_seniors_memory_never_reaches_another(offline: Harness) -> None:
    alice, bob = new_user_id(), new_user_id()
    await offline.say(alice, "ハナコって呼んで")
    await offline.say(bob, "こんにちは")
    assert (await offline.senior(bob)).memory.preferred_name is None
    assert all("ハナコ" not in t.text for t in await offline.turns(bob))
    await offline.say(bob, "忘れて")
    await offline.say(bob, "はい")
    assert (await offline.senior(alice)).memory.preferred_name == "ハナコ"


async def test_return_date_and_sessions_are_answered_from_the_read_model(offline: Harness) -> None:
    user = new_user_id()
    participant = await link_with_loan(offline, user, due_on=date(2099, 12, 5))
    session = session_view("S-dialogue", 5).model_copy(
        update={"starts_at": utcnow() + timedelta(days=3), "cohort_id": "C-test"}
    )

    async def schedule(tx: Tx) -> None:
        scheduled = SessionScheduled.model_validate(session.model_dump())
        await offline.programme.session_scheduled(tx, scheduled, at=utcnow())

    await offline.store.transaction(schedule)

    loan = await offline.say(user, "いつタブレットを返すの？")
    sessions = await offline.tap(user, "daichan:sessions")

    assert "2099年12月5日（土）" in loan.text
    assert loan.sends[0].purpose == "ai_chat.programme"
    assert "タブレットのつかいかた" in sessions.text
    assert [q.data for q in sessions.quick_replies] == ["lending:book?session=S-dialogue"]
    assert participant


async def test_unlinked_seniors_are_told_how_to_link_or_ask(offline: Harness) -> None:
    result = await offline.tap(new_user_id(), "daichan:my_loan")
    assert result.texts == [templates.LINK_HOW_TO_TEXT]


async def test_the_help_menu_and_its_safety_buttons(offline: Harness) -> None:
    user = new_user_id()
    menu = await offline.tap(user, "daichan:help")
    assert menu.texts == [templates.HELP_MENU_TEXT]
    assert "daichan:help?topic=emergency" in [q.data for q in menu.quick_replies]

    fraud = await offline.tap(new_user_id(), "daichan:help?topic=fraud")
    assert "#9110" in fraud.text
    assert fraud.help_requests[0].priority is Priority.HIGH
    assert "メニューから" in fraud.help_requests[0].summary


async def test_other_services_buttons_are_left_to_them(offline: Harness) -> None:
    result = await offline.tap(new_user_id(), "lending:book?session=S1")
    assert result.sends == []
    assert result.outcome.skipped == "not_ours"
    unknown = await offline.tap(new_user_id(), "daichan:dance")
    assert unknown.texts == [templates.UNKNOWN_BUTTON_TEXT]


async def test_check_in_opt_in_and_out(offline: Harness) -> None:
    user = new_user_id()
    menu = await offline.tap(user, "daichan:checkin")
    assert "daichan:checkin?at=08:00" in [q.data for q in menu.quick_replies]
    on = await offline.tap(user, "daichan:checkin?at=08:00")
    checkin = (await offline.senior(user)).checkin
    assert "朝 8時" in on.text
    assert checkin.enabled
    assert checkin.time == "08:00"
    assert checkin.next_at is not None
    await offline.tap(user, "daichan:checkin?at=off")
    assert not (await offline.senior(user)).checkin.enabled


async def test_voice_without_a_model_asks_for_text(offline: Harness) -> None:
    result = await offline.speak(new_user_id())
    assert result.texts == [templates.VOICE_NO_MODEL_TEXT]


async def test_greetings_for_new_and_returning_friends(offline: Harness) -> None:
    user = new_user_id()
    inbound = Inbound(event_id=uuid4(), user_id=user, sent_at=utcnow(), via="button")
    new = await offline.dialogue.on_followed(inbound, is_unblocked=False)
    assert new.messages[0].text == templates.GREETING_NEW
    assert new.priority is SendPriority.LOW
    back = await offline.dialogue.on_followed(inbound, is_unblocked=True)
    assert back.messages[0].text == templates.GREETING_BACK


async def test_the_offline_summary_rolls_every_few_turns(store) -> None:
    harness = Harness(store, model=None, summary_every_turns=4)
    await harness.prepare()
    user = new_user_id()
    await harness.say(user, "今日は公園に行った")
    assert (await harness.senior(user)).memory.summary == ""
    await harness.say(user, "桜がきれいやった")
    memory = (await harness.senior(user)).memory
    assert "公園" in memory.summary
    assert "桜" in memory.summary
    assert memory.turns_since_summary == 0


async def test_the_voice_confirmation_button_resends_the_transcript() -> None:
    text, choices = templates.voice_unsure("こんちは")
    assert text == "「こんちは」と 聞こえたけど、合ってる？"
    assert isinstance(choices[0], MessageAction)
    assert choices[0].text == "こんちは"
    assert isinstance(choices[1], PostbackAction)
    assert choices[1].data == "daichan:voice_retry"


async def test_an_answer_decided_before_a_hand_over_is_not_sent_after_it(offline: Harness) -> None:
    # The model takes seconds; if staff take the conversation meanwhile, the answer is dropped
    # at commit time, while safety guidance decided the same way would still go out.
    user = new_user_id()
    chat = Inbound(event_id=uuid4(), user_id=user, sent_at=utcnow(), via="text", text="こんにちは")
    decided = await offline.dialogue.on_text(chat)

    async def hand_over(tx: Tx) -> None:
        await offline.seniors.handed_over(tx, user_id=user, ticket_id="T-race")

    await offline.store.transaction(hand_over)
    envelope = text_message(user, "こんにちは")
    await offline.commit(envelope, chat, decided)
    assert (await offline.emitted(envelope.id, decided)).sends == []

    emergency = Inbound(
        event_id=uuid4(), user_id=user, sent_at=utcnow(), via="text", text="胸が痛い"
    )
    guidance = await offline.dialogue.on_text(emergency)
    envelope = text_message(user, "胸が痛い")
    await offline.commit(envelope, emergency, guidance)
    assert [
        m.text for s in (await offline.emitted(envelope.id, guidance)).sends for m in s.messages
    ] == [said(Route.EMERGENCY)]
