"""Daily check-ins and the friendly call, on a real MongoDB: at most once, even across restarts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.ai_chat.domain.checkins import checkin_command_id, next_checkin_at
from services.ai_chat.domain.seniors import Checkin, Memory, SeniorChanges
from services.ai_chat.store.seniors import SeniorRepository
from services.ai_chat.usecases.checkins import CheckinScheduler, CheckinSettings
from services.common.events import decode_event
from services.common.events.contracts.helpdesk import HelpRequested, Priority, RequestReason
from services.common.events.contracts.line import SendPriority, SendRequested
from services.common.store import MongoStore, Tx
from services.common.store.mongo import OUTBOX_COLLECTION
from services.common.time import utcnow
from tests.fixtures.line import new_user_id


def scheduler(store: MongoStore, **settings: Any) -> CheckinScheduler:
    return CheckinScheduler(
        store=store, seniors=SeniorRepository(store), settings=CheckinSettings(**settings)
    )


async def seed(store: MongoStore, user: str, changes: SeniorChanges, **extra: Any) -> None:
    changes.extra.update(extra)

    async def save(tx: Tx) -> None:
        await SeniorRepository(store).save(tx, user_id=user, changes=changes)

    await store.transaction(save)


async def outbox(store: MongoStore) -> list[Any]:
    docs = await store.collection(OUTBOX_COLLECTION).find().sort("_id").to_list()
    return [decode_event(doc["value"]) for doc in docs]


async def test_a_due_check_in_is_sent_once_across_rounds_and_restarts(store: MongoStore) -> None:
    user = new_user_id()
    now = utcnow()
    due = now - timedelta(minutes=5)
    await seed(
        store,
        user,
        SeniorChanges(
            checkin=Checkin(enabled=True, time="08:00", next_at=due),
            last_message_at=now,
            memory=Memory(preferred_name="みっちゃん", updated_at=now),
        ),
    )

    first = await scheduler(store).tick(now=now)
    again = await scheduler(store).tick(now=now)  # a restarted instance, same moment
    later = await scheduler(store).tick(now=now + timedelta(minutes=1))

    assert (first.sent, again.sent, later.sent) == (1, 0, 0)
    [event] = await outbox(store)
    assert isinstance(event.data, SendRequested)
    assert event.data.priority is SendPriority.LOW
    assert event.data.purpose == "ai_chat.checkin"
    assert event.data.reply_token is None
    assert event.data.messages[0].text.startswith("みっちゃん、大ちゃんやで！")
    day = (due + timedelta(hours=9)).date().isoformat()
    assert event.id == checkin_command_id(user, day)
    checkin = (await SeniorRepository(store).get(user)).checkin
    assert checkin.last_sent_on == day
    assert checkin.next_at == next_checkin_at("08:00", after=now)


async def test_hours_late_or_unfollowed_check_ins_are_skipped_and_rescheduled(
    store: MongoStore,
) -> None:
    late, blocked = new_user_id(), new_user_id()
    now = utcnow()
    await seed(
        store, late, SeniorChanges(checkin=Checkin(enabled=True, next_at=now - timedelta(hours=5)))
    )
    await seed(
        store,
        blocked,
        SeniorChanges(
            checkin=Checkin(enabled=True, next_at=now - timedelta(minutes=1)), following=False
        ),
    )

    result = await scheduler(store).tick(now=now)

    assert (result.sent, result.skipped) == (0, 2)
    assert await outbox(store) == []
    for user in (late, blocked):
        next_at = (await SeniorRepository(store).get(user)).checkin.next_at
        assert next_at is not None
        assert next_at > now


async def test_a_quiet_senior_is_flagged_once_for_a_friendly_call(store: MongoStore) -> None:
    linked, unlinked, chatty = new_user_id(), new_user_id(), new_user_id()
    now = utcnow()
    quiet_since = now - timedelta(days=8)
    far_future = now + timedelta(days=1)
    for user in (linked, unlinked):
        await seed(
            store,
            user,
            SeniorChanges(
                checkin=Checkin(enabled=True, next_at=far_future), last_message_at=quiet_since
            ),
            **({"participant_id": "P-quiet"} if user == linked else {}),
        )
    await seed(
        store,
        chatty,
        SeniorChanges(checkin=Checkin(enabled=True, next_at=far_future), last_message_at=now),
    )

    first = await scheduler(store, inactivity_days=7).tick(now=now)
    second = await scheduler(store, inactivity_days=7).tick(now=now + timedelta(hours=1))

    assert (first.flagged, second.flagged) == (2, 0)
    requests = {
        e.data.line_user_id: e.data
        for e in await outbox(store)
        if isinstance(e.data, HelpRequested)
    }
    assert set(requests) == {linked, unlinked}
    assert requests[linked].priority is Priority.NORMAL
    assert requests[linked].participant_id == "P-quiet"
    assert requests[unlinked].priority is Priority.LOW
    for request in requests.values():
        assert request.reason is RequestReason.OTHER
        assert request.handover is False
        assert "8日" in request.summary

    # Writing again and falling quiet again is a new period: flagged once more; the linked
    # senior, still quiet since the first flag, is not flagged twice.
    before = len(await outbox(store))
    await seed(store, unlinked, SeniorChanges(last_message_at=now + timedelta(days=1)))
    await scheduler(store, inactivity_days=7).tick(now=now + timedelta(days=9))
    flagged_now = [e.data.line_user_id for e in (await outbox(store))[before:]]
    assert sorted(flagged_now) == sorted([unlinked, chatty])


async def test_memory_expires_after_the_retention_period(store: MongoStore) -> None:
    old, fresh = new_user_id(), new_user_id()
    now = utcnow()
    await seed(
        store,
        old,
        SeniorChanges(memory=Memory(summary="昔の話", updated_at=now - timedelta(days=91))),
    )
    await seed(store, fresh, SeniorChanges(memory=Memory(summary="今の話", updated_at=now)))

    await scheduler(store, memory_retention=timedelta(days=90)).tick(now=now)

    seniors = SeniorRepository(store)
    assert (await seniors.get(old)).memory.summary == ""
    assert (await seniors.get(fresh)).memory.summary == "今の話"


def test_check_in_days_are_japan_days() -> None:
    # 23:30 UTC is already the next morning in Japan.
    assert checkin_command_id("U1", "2026-12-05") != checkin_command_id("U1", "2026-12-06")
    assert next_checkin_at("08:00", after=datetime.fromisoformat("2026-12-04T23:30:00+00:00")) == (
        datetime.fromisoformat("2026-12-05T23:00:00+00:00")
    )
