"""Answers about the senior's own tablet and sessions, from the programme projection, never guessed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from services.ai_chat.domain.faq.answers import Desk, answer
from services.ai_chat.domain.faq.questions import Topic
from services.ai_chat.domain.templates import LINK_HOW_TO_TEXT, postback
from services.common.events.contracts.line import Action
from services.common.events.postback_data import postback_data
from services.common.programme.views import CohortView, LoanView, SessionView
from services.common.wording import (
    SESSION_KIND_JA,
    japanese_date,
    japanese_time,
    jst_date,
    short_date,
)

MAX_SESSIONS_SHOWN = 3
# Read from the projection before choosing the few shown: a cohort schedules tens of sessions, so
# the senior's own area is among them unless it has none in the next this-many.
SESSIONS_CONSIDERED = 30


@dataclass(frozen=True)
class ProgrammeFacts:
    participant_id: str | None
    loans: list[LoanView] = field(default_factory=list)
    cohort: CohortView | None = None
    sessions: list[SessionView] = field(default_factory=list)
    booked: frozenset[str] = frozenset()
    # The senior's area (JIS code from the enrolment): its sessions are listed first.
    area_code: str | None = None

    @property
    def linked(self) -> bool:
        return self.participant_id is not None

    @property
    def active_loan(self) -> LoanView | None:
        active = [loan for loan in self.loans if loan.status == "active"]
        return active[-1] if active else None


def loan_answer(facts: ProgrammeFacts, *, today: date) -> tuple[str, tuple[Action, ...]]:
    if not facts.linked:
        return LINK_HOW_TO_TEXT, ()
    loan = facts.active_loan
    if loan is None or loan.due_on is None:
        if any(loan.status != "active" for loan in facts.loans):
            return (
                "タブレットは もう 返してもらってるで。ありがとうな！\n"
                "また わからへんことが あったら、いつでも 聞いてな。",
                (),
            )
        return (
            "いま 借りている タブレットは ないみたいや。\n"
            "わからへんときは「人と話したい」と 送ってな。",
            (),
        )
    due = japanese_date(loan.due_on)
    days_left = (loan.due_on - today).days
    if days_left < 0:
        return (
            f"タブレットを 返す日は {due} やったで。もう 過ぎてるみたいや。\n"
            "返し方は ヘルプデスクの 人が 教えてくれるで。下の ボタンから 話してな。",
            (postback("人と 話したい", "daichan:help?topic=person", "人と 話したい"),),
        )
    when = "今日" if days_left == 0 else f"あと {days_left}日"
    return (
        f"タブレットを 返す日は {due} やで（{when}）。\n"
        "返し方が わからへんときは「人と話したい」と 送ってな。",
        (),
    )


def sessions_near(
    sessions: list[SessionView],
    *,
    area_code: str | None,
    booked: frozenset[str] = frozenset(),
    limit: int = MAX_SESSIONS_SHOWN,
) -> list[SessionView]:
    """The `limit` sessions to show: those the senior booked (their cancel button must not be
    pushed out by a nearer venue), then soonest first within their own area, then the others;
    with no known area (or no session there) simply the soonest, as before. A session with no
    area is never counted as the senior's own."""

    def rank(session: SessionView) -> tuple[bool, bool, datetime]:
        own = area_code is not None and session.area_code == area_code
        return (session.session_id not in booked, not own, session.starts_at)

    return sorted(sessions, key=rank)[:limit]


def session_line(session: SessionView, *, status: str = "") -> str:
    """One session as Dai-chan lists it: 「・12月5日（土） 午後2時から …（説明会、…）」."""
    kind = SESSION_KIND_JA.get(session.kind, "講座")
    return (
        f"・{japanese_date(jst_date(session.starts_at))} {japanese_time(session.starts_at)}から "
        f"{session.title}（{kind}、{session.venue}）{status}"
    )


def public_sessions_answer(area_name: str, sessions: list[SessionView], desk: Desk) -> str:
    """The explanatory sessions of the senior's area for someone with no tablet yet: only those
    with seats (a full one cannot be joined), soonest first; none open, and how to apply."""
    open_ = [s for s in sessions if not s.cancelled and s.seats_left > 0][:MAX_SESSIONS_SHOWN]
    if open_:
        lines = [f"{area_name}の 説明会の 予定やで。"]
        lines += [session_line(session) for session in open_]
        lines.append(f"参加したい ときは ヘルプデスクに 言うてな。{desk.how_to_reach()}")
        return "\n".join(lines)
    if any(not s.cancelled for s in sessions):
        said = f"{area_name}の 説明会は いま どれも 満席やねん。"
    else:
        said = f"{area_name}では いまは 予定されている 説明会は ないみたいや。"
    return f"{said}\n{answer(Topic.APPLY, desk)}"


def sessions_answer(facts: ProgrammeFacts) -> tuple[str, tuple[Action, ...]]:
    if not facts.linked:
        return LINK_HOW_TO_TEXT, ()
    if not facts.sessions:
        return (
            "いまは 予定されている 講座は ないみたいや。\n決まったら お知らせするな。",
            (),
        )
    in_area = facts.area_code is not None and any(
        session.area_code == facts.area_code for session in facts.sessions
    )
    lines = ["次の 講座の 予定やで。" + ("近くの 会場から 先に 並べてるで。" if in_area else "")]
    choices: list[Action] = []
    for session in facts.sessions:
        day = jst_date(session.starts_at)
        booked = session.session_id in facts.booked
        status = "（申し込み済み）" if booked else ("（満席）" if session.seats_left <= 0 else "")
        lines.append(session_line(session, status=status))
        label_day = short_date(day)
        if booked:
            choices.append(
                postback(
                    f"{label_day}を 取り消す",
                    postback_data("lending", "cancel", session=session.session_id),
                    f"{label_day}の 講座を 取り消します",
                )
            )
        elif session.seats_left > 0:
            choices.append(
                postback(
                    f"{label_day}に 申し込む",
                    postback_data("lending", "book", session=session.session_id),
                    f"{label_day}の 講座に 申し込みます",
                )
            )
    if choices:
        lines.append("申し込みは 下の ボタンから できるで。")
    return "\n".join(lines), tuple(choices)


def model_context(facts: ProgrammeFacts, *, today: date) -> list[str]:
    """Lines for the model's instructions: the senior's own dates, so it never has to guess."""
    if not facts.linked:
        return ["この方は まだ タブレットの 貸し出し情報と つながっていません。"]
    lines: list[str] = []
    loan = facts.active_loan
    if loan is not None and loan.due_on is not None:
        lines.append(f"タブレットを 返す日: {japanese_date(loan.due_on)}")
    elif facts.loans:
        lines.append("タブレットは 返却済みです。")
    booked = [s for s in facts.sessions if s.session_id in facts.booked]
    for session in booked[:1]:
        lines.append(
            f"申し込み済みの 講座: {japanese_date(jst_date(session.starts_at))} "
            f"{japanese_time(session.starts_at)}から {session.title}（{session.venue}）"
        )
    if facts.sessions and not booked:
        first = facts.sessions[0]
        lines.append(
            f"次の 講座: {japanese_date(jst_date(first.starts_at))} {japanese_time(first.starts_at)}から "
            f"{first.title}（{first.venue}）"
        )
    return lines
