"""What seniors read on LINE and what helpdesk staff read on a call task: fixed Japanese texts.

Messages to seniors are short, in Dai-chan's Kansai voice (the senior reads them in the same chat)
and with its dates and times (`services.common.wording`), and name one next step. Call-task summaries go to the
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

HELP_MENU = "困ったときは、メニューの「困ったとき」から 相談してな。"


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
        "講座の 申し込みは、タブレットの 貸し出しに 登録して、LINE を つないでから できるで。"
        "事務局で もらった 8けたの 番号を、この トークに 送ってな。"
    ),
    "unknown_session": "ごめんな。この 講座は 見つからへんかったわ。",
    "session_cancelled": "ごめんな。この 講座は 中止に なったんや。",
    "session_started": "この 講座は もう 始まってるか、終わってるみたいや。",
    "session_full": (
        "ごめんな。この 回は 満席に なってしもたわ。ほかの 日は、メニューの「講座の予定」から 見てな。"
    ),
    "already_booked": "この 回は もう 申し込み済みやで。",
    "not_booked": "この 回の 申し込みは 見つからへんかったわ。",
    "not_enrolled": "いまは タブレット貸し出しの 利用者に 登録されてへんから、申し込みは できへんねん。",
    "other_cohort": "ごめんな。この 講座は、ほかの 期の 人の 講座なんや。",
    "explanatory_by_staff": (
        "説明会の 申し込みは 事務局で 受け付けてるで。ヘルプデスクに 電話してな。"
    ),
    "bad_postback": "うまく 受け付けられへんかったわ。もう一度 ボタンを 押してな。",
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
        f"【お知らせ】申し込んでくれてた「{session.title}」は 中止に なったんや。\n"
        f"{session_lines(session)}\n\n"
        "ごめんな。ほかの 日は、メニューの「講座の予定」から 見てな。"
    )


def due_reminder(*, due_on: date, days_left: int) -> str:
    when = {0: "今日が 返す日やで。", 1: "明日が 返す日やで。"}.get(
        days_left, f"あと{days_left}日やで。"
    )
    return (
        "【タブレットを 返す日の お知らせ】\n"
        f"借りてる タブレットを 返す日は {japanese_date(due_on)} や。{when}\n\n"
        f"返し方は、事務局からの 案内を 見てな。{HELP_MENU}"
    )


def overdue_message(*, due_on: date) -> str:
    return (
        "【タブレットを 返してな】\n"
        f"借りてる タブレットを 返す日（{japanese_date(due_on)}）が 過ぎてるで。"
        "早めに 返してくれたら 助かるわ。\n\n"
        f"何か 事情が あるときは、遠慮せんと 相談してな。{HELP_MENU}"
    )


def call_task_summary(*, participant_id: str, due_on: date, stage: str, days: int) -> str:
    """The helpdesk's task, without personal data: who (by id), why, and where to look. The
    name and phone are on the ticket itself (its contact card, read from here as the staff
    member who opens it), so the task sends nobody off to look them up elsewhere."""
    lookup = f"利用者番号 {participant_id}（氏名と電話番号は、チケットを開くと表示されます）"
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
