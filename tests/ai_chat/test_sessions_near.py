"""Which sessions Dai-chan lists: the senior's own area first, else the soonest (pure rule)."""

from __future__ import annotations

from services.ai_chat.domain.programme import ProgrammeFacts, sessions_answer, sessions_near
from services.common.programme.views import SessionView
from tests.ai_chat.support import session_view

IKUNO, ABENO = "27116", "27119"


def at(session_id: str, day: int, area_code: str | None) -> SessionView:
    return session_view(session_id, day).model_copy(update={"area_code": area_code})


SESSIONS = [
    at("far-own", 20, IKUNO),
    at("soon-other", 3, ABENO),
    at("soon-none", 4, None),
    at("own", 10, IKUNO),
    at("other", 5, ABENO),
]


def ids(sessions: list[SessionView]) -> list[str]:
    return [session.session_id for session in sessions]


def test_the_seniors_own_area_comes_first_soonest_first_then_the_others() -> None:
    assert ids(sessions_near(SESSIONS, area_code=IKUNO, limit=4)) == [
        "own",
        "far-own",
        "soon-other",
        "soon-none",
    ]
    assert ids(sessions_near(SESSIONS, area_code=ABENO, limit=3)) == [
        "soon-other",
        "other",
        "soon-none",
    ]


def test_without_a_known_area_or_a_session_there_the_soonest_as_before() -> None:
    soonest = ["soon-other", "soon-none", "other"]
    assert ids(sessions_near(SESSIONS, area_code=None, limit=3)) == soonest
    assert ids(sessions_near(SESSIONS, area_code="27127", limit=3)) == soonest


def test_the_answer_says_the_near_ones_come_first_only_when_they_do() -> None:
    near = sessions_near(SESSIONS, area_code=IKUNO)
    text, _ = sessions_answer(ProgrammeFacts(participant_id="P-1", sessions=near, area_code=IKUNO))
    assert "近くの 会場から" in text
    assert text.index("12月10日") < text.index("12月20日") < text.index("12月3日")
    text, _ = sessions_answer(
        ProgrammeFacts(participant_id="P-1", sessions=sessions_near(SESSIONS, area_code=None))
    )
    assert "近くの" not in text


def test_a_booked_session_elsewhere_stays_listed_with_its_cancel_button() -> None:
    shown = sessions_near(SESSIONS, area_code=IKUNO, booked=frozenset({"other"}), limit=3)
    assert ids(shown) == ["other", "own", "far-own"]
    facts = ProgrammeFacts(
        participant_id="P-1", sessions=shown, booked=frozenset({"other"}), area_code=IKUNO
    )
    _, choices = sessions_answer(facts)
    assert "lending:cancel?session=other" in [c.data for c in choices]  # type: ignore[union-attr]
