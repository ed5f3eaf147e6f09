"""A friend with no tablet hears the explanatory sessions of their own area (issue #14), through
the dialogue and recorder on a real MongoDB, the projection fed by lending's real handlers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from services.ai_chat.domain import templates
from services.common.events.contracts.lending import (
    Area,
    CohortPublished,
    SessionKind,
    SessionScheduled,
)
from services.common.events.envelope import Contract, new_event
from services.common.programme.handlers import ProgrammeHandlers
from services.common.programme.views import AreaView
from services.common.time import utcnow
from services.common.wording import japanese_time
from tests.ai_chat.support import Harness
from tests.fixtures.line import new_user_id

SAKAI = Area(code="271403", name="堺市")
TOYONO = Area(code="273210", name="豊能町")


async def publish(harness: Harness, data: Contract) -> None:
    handlers = ProgrammeHandlers(projection=harness.programme, also_erase=[harness.seniors])
    handler: Any = (
        handlers.on_cohort_published
        if isinstance(data, CohortPublished)
        else handlers.on_session_scheduled
    )
    await harness.handling.apply(new_event(data, source="test"), handler)


def session(
    session_id: str,
    *,
    area: Area,
    days: int,
    kind: SessionKind = SessionKind.EXPLANATORY,
    seats: int = 10,
    cancelled: bool = False,
) -> SessionScheduled:
    starts_at = utcnow().replace(hour=5, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return SessionScheduled(
        session_id=session_id,
        cohort_id="C4",
        kind=kind,
        title=f"説明会 {session_id}",
        venue=f"{area.name} 会場 {session_id}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=20,
        seats_left=seats,
        cancelled=cancelled,
        area_code=area.code,
    )


async def seed_programme(harness: Harness) -> None:
    await publish(
        harness,
        CohortPublished(
            cohort_id="C4",
            name="第4期",
            areas=[SAKAI, TOYONO],
            lending_starts_on=date(2027, 4, 1),
            lending_ends_on=date(2027, 9, 30),
            minimum_age=50,
            capacity=800,
        ),
    )
    for data in (
        session("S-open", area=SAKAI, days=5),
        session("S-full", area=SAKAI, days=3, seats=0),
        session("S-cancelled", area=SAKAI, days=4, cancelled=True),
        session("S-follow", area=SAKAI, days=6, kind=SessionKind.FOLLOW_UP),
        session("S-toyono", area=TOYONO, days=2, seats=0),
    ):
        await publish(harness, data)


async def test_the_projection_keeps_the_areas_of_a_cohort(offline: Harness) -> None:
    await seed_programme(offline)

    cohort = await offline.programme.cohort("C4")

    assert cohort is not None
    assert cohort.areas == [
        AreaView(code="271403", name="堺市"),
        AreaView(code="273210", name="豊能町"),
    ]
    assert await offline.programme.known_areas() == cohort.areas


async def test_only_open_explanatory_sessions_of_the_area_are_read(offline: Harness) -> None:
    await seed_programme(offline)

    sakai = await offline.programme.public_sessions(after=utcnow(), area_code=SAKAI.code, limit=10)
    everywhere = await offline.programme.public_sessions(after=utcnow(), area_code=None, limit=10)

    assert [s.session_id for s in sakai] == ["S-full", "S-open"]
    assert [s.session_id for s in everywhere] == ["S-toyono", "S-full", "S-open"]


async def test_a_friend_naming_their_city_hears_its_sessions_and_it_is_remembered(
    offline: Harness,
) -> None:
    await seed_programme(offline)
    user = new_user_id()

    result = await offline.say(user, "堺市に住んでるんやけど、説明会はいつありますか")

    assert result.outcome.kind == "public_sessions"
    assert "堺市の 説明会の 予定やで。" in result.text
    assert "説明会 S-open" in result.text
    assert f"{japanese_time(session('S-open', area=SAKAI, days=5).starts_at)}から" in result.text
    # Full, cancelled and follow-up sessions, and other areas, are never offered.
    for other in ("S-full", "S-cancelled", "S-follow", "S-toyono"):
        assert other not in result.text
    assert result.quick_replies == []
    assert (await offline.senior(user)).memory.area_code == SAKAI.code

    again = await offline.say(user, "説明会はいつありますか")
    assert again.outcome.kind == "public_sessions"
    assert "説明会 S-open" in again.text


async def test_dai_chan_asks_the_area_once_and_the_next_message_answers(offline: Harness) -> None:
    await seed_programme(offline)
    user = new_user_id()

    asked = await offline.say(user, "説明会はいつありますか")
    assert asked.outcome.kind == "public_sessions_area_asked"
    assert templates.ASK_AREA_TEXT in asked.text
    assert (await offline.senior(user)).pending is not None

    answered = await offline.say(user, "豊能町です")
    assert answered.outcome.kind == "public_sessions"
    assert "豊能町の 説明会は いま どれも 満席やねん。" in answered.text
    assert "申しこむ" in answered.text
    senior = await offline.senior(user)
    assert senior.pending is None
    assert senior.memory.area_code == TOYONO.code


async def test_a_button_tap_asks_the_area_too(offline: Harness) -> None:
    await seed_programme(offline)
    user = new_user_id()

    asked = await offline.tap(user, "daichan:sessions")
    answered = await offline.say(user, "堺やで")

    assert templates.ASK_AREA_TEXT in asked.text
    assert "説明会 S-open" in answered.text


async def test_an_area_with_no_sessions_yet_says_so_with_the_helpdesk(offline: Harness) -> None:
    await seed_programme(offline)

    unknown = await offline.say(new_user_id(), "京都市に住んでます。説明会はありますか")

    assert unknown.outcome.kind == "public_sessions_area_unknown"
    assert templates.AREA_UNKNOWN_TEXT in unknown.text
    assert "ヘルプデスクは" in unknown.text


async def test_forgetting_forgets_the_area(offline: Harness) -> None:
    await seed_programme(offline)
    user = new_user_id()
    await offline.say(user, "堺市の説明会はいつ？")
    assert (await offline.senior(user)).memory.area_code == SAKAI.code

    await offline.say(user, "忘れて")
    await offline.say(user, "はい")

    assert (await offline.senior(user)).memory.area_code is None
    asked = await offline.say(user, "説明会はいつありますか")
    assert asked.outcome.kind == "public_sessions_area_asked"
