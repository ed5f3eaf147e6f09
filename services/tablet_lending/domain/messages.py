"""What seniors read on LINE and what helpdesk staff read on a call task: fixed Japanese texts.

Messages to seniors are short and polite and name one next step. Call-task summaries go to the
helpdesk queue and carry the participant id and dates only: the phone number is looked up in
tablet_lending by the staff member who calls (and that look-up is audited).
"""

from __future__ import annotations

from datetime import date, datetime

from services.common.events.contracts.line import (
    PostbackAction,
    SendPriority,
    SendRequested,
    TextMessage,
)
from services.common.events.postback_data import postback_data
from services.common.time import utcnow
from services.common.wording import japanese_date, japanese_time_range
from services.tablet_lending.domain.errors import LendingError
from services.tablet_lending.domain.sessions import KIND_JA, Session

HELP_MENU = "困ったときは、メニューの「困ったとき」からご相談ください。"


def send(
    *,
    user_id: str,
    text: str,
    purpose: str,
    quick_replies: list[PostbackAction] | None = None,
    reply_token: str | None = None,
    reply_token_expires_at: datetime | None = None,
) -> SendRequested:
    """A `service` priority send (always delivered, even when the push budget is spent)."""
    # Pass the free reply token only while it is valid (real time, not the service's clock);
    # otherwise line_gateway pushes.
    use_token = (
        reply_token is not None
        and reply_token_expires_at is not None
        and reply_token_expires_at > utcnow()
    )
    return SendRequested(
        user_id=user_id,
        messages=[TextMessage(text=text, quick_replies=quick_replies or [])],
        reply_token=reply_token if use_token else None,
        reply_token_expires_at=reply_token_expires_at if use_token else None,
        priority=SendPriority.SERVICE,
        purpose=purpose,
    )


def cancel_button(session_id: str) -> PostbackAction:
    return PostbackAction(
        label="予約を取り消す",
        data=postback_data("lending", "cancel", session=session_id),
        display_text="予約を取り消します",
    )


# Said in Dai-chan's voice and time format (`services.common.wording`): the senior reads these
# in the same chat as Dai-chan.
def session_lines(session: Session) -> str:
    return f"日時: {japanese_time_range(session.starts_at, session.ends_at)}\n会場: {session.venue}"


def booking_confirmed(session: Session) -> str:
    return (
        f"{KIND_JA[session.kind]}「{session.title}」の 予約が できたで。\n\n"
        f"{session_lines(session)}\n\n"
        "前の日にも LINE で 知らせるな。行かれへんように なったら、下の ボタンで 取り消してな。"
    )


def booking_cancelled(session: Session) -> str:
    return f"「{session.title}」の 予約を 取り消したで。\n{session_lines(session)}\n\nまた 来てな。"


# What a senior reads when a booking from LINE cannot be done, by refusal reason.
BOOKING_REFUSALS = {
    "not_linked": (
        "ご予約には、タブレット貸出の登録と LINE の連携が必要です。"
        "事務局からお渡しした8けたの番号を、このトークに送ってください。"
    ),
    "unknown_session": "申し訳ありません。この講座は見つかりませんでした。",
    "session_cancelled": "申し訳ありません。この講座は中止になりました。",
    "session_started": "この講座はすでに始まっているか、終わっています。",
    "session_full": (
        "申し訳ありません。この回は満席になりました。ほかの日程は、メニューの「講座の予定」からご覧ください。"
    ),
    "already_booked": "この回は、すでにご予約いただいています。",
    "not_booked": "この回のご予約は見つかりませんでした。",
    "not_enrolled": "現在、タブレット貸出の利用者として登録されていないため、ご予約できません。",
    "other_cohort": "申し訳ありません。この講座は、ほかの期の方が対象です。",
    "explanatory_by_staff": (
        "説明会のご予約は事務局で承っています。お手数ですが、ヘルプデスクにお電話ください。"
    ),
    "bad_postback": "うまく受け付けられませんでした。お手数ですが、もう一度ボタンを押してください。",
}


def booking_refused(refusal: LendingError, session: Session | None) -> str:
    text = BOOKING_REFUSALS.get(refusal.reason, BOOKING_REFUSALS["bad_postback"])
    if session is not None and refusal.reason == "already_booked":
        text += f"\n\n{session_lines(session)}"
    return text


def session_day_before(session: Session) -> str:
    return (
        f"【明日の {KIND_JA[session.kind]}】\n"
        f"明日は「{session.title}」の 日やで。\n\n{session_lines(session)}\n\n"
        "気をつけて 来てな。行かれへんように なったら、下の ボタンで 取り消してな。"
    )


def session_called_off(session: Session) -> str:
    return (
        f"【お知らせ】ご予約の「{session.title}」は中止になりました。\n{session_lines(session)}\n\n"
        "ご迷惑をおかけして申し訳ありません。ほかの日程は、メニューの「講座の予定」からご覧ください。"
    )


def due_reminder(*, due_on: date, days_left: int) -> str:
    when = {0: "今日が返却期限です。", 1: "明日が返却期限です。"}.get(
        days_left, f"返却期限まで、あと{days_left}日です。"
    )
    return (
        "【タブレット返却のお知らせ】\n"
        f"お借りしているタブレットの返却期限は {japanese_date(due_on)} です。{when}\n\n"
        f"返却の方法は、事務局からのご案内をご確認ください。{HELP_MENU}"
    )


def overdue_message(*, due_on: date) -> str:
    return (
        "【タブレット返却のお願い】\n"
        f"お借りしているタブレットの返却期限（{japanese_date(due_on)}）を過ぎています。"
        "お手数ですが、早めのご返却をお願いします。\n\n"
        f"ご事情があるときは、どうぞご遠慮なくご相談ください。{HELP_MENU}"
    )


def call_task_summary(*, participant_id: str, due_on: date, stage: str, days: int) -> str:
    """The helpdesk's task, without personal data: who (by id), why, and where to look."""
    lookup = f"利用者番号 {participant_id}（連絡先は貸出管理の利用者情報で確認してください）"
    due = japanese_date(due_on)
    if stage == "due":
        return (
            f"【返却期限のお知らせ電話】返却期限 {due} まで あと{days}日です。"
            f"LINE 未連携のため、お電話でお伝えください。{lookup}"
        )
    if stage == "message":
        return (
            f"【返却のお願い電話】返却期限 {due} を{days}日過ぎています。"
            f"LINE 未連携のため、お電話で返却をお願いしてください。{lookup}"
        )
    if stage == "call":
        return (
            f"【返却督促の電話】返却期限 {due} を{days}日過ぎています。"
            f"お電話で返却の予定を確認してください。{lookup}"
        )
    return (
        f"【訪問回収の手配】返却期限 {due} を{days}日過ぎ、訪問での回収が必要です。"
        f"訪問の日程調整をお願いします。{lookup}"
    )
