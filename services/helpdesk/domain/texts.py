"""Fixed Japanese texts the helpdesk sends to seniors (never generated)."""

from __future__ import annotations

from services.common.events.contracts.line import (
    MAX_SENDER_NAME_LENGTH,
    PostbackAction,
    Sender,
    TextMessage,
)
from services.common.events.postback_data import postback_data

CLOSING = (
    "お問い合わせ ありがとうございました。\n"
    "担当者との やりとりは これで 終わります。\n"
    "この後は また 大ちゃんが お話し相手に なります。\n"
    "困ったときは いつでも「人と話したい」と 送ってください。"
)
CSAT_QUESTION = "よろしければ、今回の 対応は いかがでしたか？\n5（とても よかった）〜 1（よくなかった）から 選んでください。"
CSAT_LABELS = {
    5: "5 とても よかった",
    4: "4 よかった",
    3: "3 ふつう",
    2: "2 あまり",
    1: "1 よくなかった",
}
CSAT_THANKS = "ご回答 ありがとうございました。これからの 対応に 役立てます。"

NON_TEXT = {
    "sticker": "（スタンプ）",
    "image": "（画像）",
    "audio": "（音声メッセージ）",
    "video": "（動画）",
    "location": "（位置情報）",
    "file": "（ファイル）",
}

# Offered to staff on a fresh helpdesk; supervisors edit them on the page.
DEFAULT_CANNED = [
    (
        "あいさつ",
        "お問い合わせ ありがとうございます。ヘルプデスクの 担当です。どのような ことで お困りですか？",
    ),
    ("確認中", "ありがとうございます。ただいま 確認しておりますので、少々 お待ちください。"),
    (
        "タブレットの再起動",
        "タブレットの 電源ボタンを 長く 押して、「再起動」を 選んでみてください。うまく いかなければ 教えてください。",
    ),
    (
        "詐欺の注意",
        "お金の 話が 出る 電話は 詐欺の おそれが あります。お金を 払ったり、ATMに 行ったりせず、いったん 電話を 切ってください。心配な ときは #9110（警察相談専用電話）に ご相談ください。",
    ),
]


HELPDESK_NAME = "ヘルプデスク"
DESK = Sender(name=HELPDESK_NAME)


def staff_sender(name: str) -> Sender:
    """How a staff reply is signed in LINE (「ヘルプデスク　田中 (担当)」), so the senior can tell a
    person from Dai-chan; LINE allows 20 characters and refuses some words in a sender's name."""
    signed = f"{HELPDESK_NAME}　{name.strip()}"[:MAX_SENDER_NAME_LENGTH]
    try:
        return Sender(name=signed)
    except ValueError:
        return DESK


def closing_messages(ticket_id: str, *, ask_csat: bool) -> list[TextMessage]:
    messages = [TextMessage(text=CLOSING, sender=DESK)]
    if ask_csat:
        messages.append(
            TextMessage(
                text=CSAT_QUESTION,
                sender=DESK,
                quick_replies=[
                    PostbackAction(
                        label=label,
                        data=postback_data("helpdesk", "csat", ticket=ticket_id, score=str(score)),
                        display_text=label,
                    )
                    for score, label in CSAT_LABELS.items()
                ],
            )
        )
    return messages


# A staff reply LINE did not deliver, said on its ticket (by what became of it).
REPLY_NOT_DELIVERED = {
    "failed": "この返信は LINE に受け付けられず、ご本人に 届いていません。電話など ほかの方法で 連絡してください。",
    "skipped_blocked": "ご本人が LINE の友だち登録を 解除（ブロック）しているため、この返信は 届いていません。",
    "held": "今月の LINE の送信上限のため、この返信は 送られていません。",
    "mail_refused": "この返信は メールサーバーに 受け付けられず、送られていません（宛先の誤りなど）。電話など ほかの方法で 連絡してください。",
    "mail_gave_up": "この返信は メールサーバーに つながらず、何度か試しましたが 送れませんでした。電話など ほかの方法で 連絡してください。",
}
