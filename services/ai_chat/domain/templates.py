"""Every fixed thing Dai-chan says, in one reviewed place.

Safety numbers (design brief §6) appear here and nowhere else: the model never writes them, and
an answer of the model that contains a phone number is replaced (`guard.py`). Texts are short
やさしい日本語 with spaces between phrases, a little Kansai, no markdown.
"""

from __future__ import annotations

from services.ai_chat.domain.hours import DeskHours
from services.common.events.contracts.line import Action, MessageAction, PostbackAction
from services.common.safety import Route

# -- the numbers (design brief §6) ----------------------------------------------------------------
AMBULANCE = "119"
AMBULANCE_UNSURE = "#7119"
POLICE = "110"
POLICE_CONSULTATION = "#9110"
CONSUMER_HOTLINE = "188"
YORISOI = "0120-279-338"
INOCHI = "0570-783-556"
KOKORO = "0570-064-556"

EMERGENCY_TEXT = (
    f"たいへんや。いますぐ {AMBULANCE} に 電話して、救急車を よんでな。\n"
    f"救急車を よぶか 迷うときは {AMBULANCE_UNSURE}（救急安心センターおおさか）に 電話してな。\n"
    "近くに 人が いたら、大きな 声で 助けを よんでな。"
)
SELF_HARM_TEXT = (
    "話してくれて ありがとう。つらい 気持ち、ひとりで かかえんといてな。\n"
    "いますぐ 話を 聞いてくれる ところが あるで。\n"
    f"よりそいホットライン {YORISOI}（24時間）\n"
    f"いのちの電話 {INOCHI}\n"
    f"こころの健康相談統一ダイヤル {KOKORO}"
)
SELF_HARM_CLOSING = "大ちゃんも ここに おるで。"
FRAUD_TEXT = (
    "それは 詐欺（さぎ）かもしれへん。あわてんといてな。\n"
    "お金の 話の 電話は いったん 切ってな。お金は はらわない、ATMには 行かない、"
    "暗証番号は だれにも 言わない。\n"
    "家族に 確かめてな。かけ直すときは、自分で 調べた 番号に かけてな。\n"
    f"警察の 相談窓口は {POLICE_CONSULTATION} やで。いま 危ないときは {POLICE} に 電話してな。"
)
FRAUD_CONSUMER_LINE = (
    f"身に おぼえの ない 請求や 売りこみは、消費者ホットライン {CONSUMER_HOTLINE} に 相談してな。"
)
PERSON_TEXT = "わかった。ヘルプデスクの 人に つなぐな。"
PERSON_QUIET = "そのあいだ 大ちゃんは 静かに しとくわ。"
PERSON_AMBULANCE = f"体の ぐあいが 悪いときは、すぐ {AMBULANCE} に 電話してな。"
WAITING_TEXT = "メッセージ 受けとったで。"


# -- the hours sentence: when a person will answer, from the helpdesk's calendar (`hours.py`) --
def desk_told(hours: DeskHours) -> str:
    """After emergency, self-harm and fraud guidance: the desk was told, and when it will look.
    Never a reason to wait: the numbers above come first."""
    if hours.open_now:
        return "ヘルプデスクの 人にも 知らせたで。すぐ 見てくれるで。"
    return (
        "ヘルプデスクにも 知らせたけど、いまは お休みや。"
        f"{hours.opening_in_words()}に 開いたら、ヘルプデスクから 連絡するで。"
    )


def person_answers(hours: DeskHours) -> str:
    """For a senior waiting for a person: soon, or when the desk opens."""
    if hours.open_now:
        return "いま ヘルプデスクは 開いてるで。人が すぐ 返事するから、少し 待っててな。"
    return (
        "いま ヘルプデスクは お休みや。"
        f"ヘルプデスクは {hours.opening_in_words()}から やで。そのとき 人が 返事するな。"
    )


def person_text(hours: DeskHours) -> str:
    return "\n".join([PERSON_TEXT, person_answers(hours) + PERSON_QUIET, PERSON_AMBULANCE])


def waiting_text(hours: DeskHours) -> str:
    """The one acknowledgement of what a senior sends while waiting for a person."""
    return "\n".join([WAITING_TEXT + person_answers(hours), PERSON_AMBULANCE])


# -- the grey band: a short check beside Dai-chan's answer, settled by the senior's next reply --
SAFETY_CHECK_TEXT = {
    Route.EMERGENCY: (
        f"もし 急に 体の ぐあいが 悪く なったら、すぐ {AMBULANCE} に 電話してな。"
        f"救急車を よぶか 迷うときは {AMBULANCE_UNSURE} やで。"
    ),
    Route.SELF_HARM: (
        "つらい 気持ちが つづくときは、ひとりで かかえんといてな。"
        f"よりそいホットライン {YORISOI}（24時間）で 話を 聞いてくれるで。"
    ),
    Route.FRAUD: (
        "お金や カードの 話が 出たら、いったん 切って、家族か "
        f"{POLICE_CONSULTATION}（警察の 相談窓口）に 確かめてな。"
    ),
    Route.PERSON: "人と 話したいときは「人と話したい」と 送ってな。ヘルプデスクの 人に つなぐで。",
}
SAFETY_CHECK_QUESTION = "だいじょうぶ？ 下の ボタンで 教えてな。"
SAFETY_CHECK_OK_TEXT = "よかった。また 何か あったら、いつでも 言うてな。"
# For the helpdesk: a normal-priority look at a message Dai-chan was unsure about.
REVIEW_SUMMARY = {
    Route.EMERGENCY: "【確認】体の 異変かも しれません（大ちゃんは 確信が ありません）。119 の 案内を 添えました。",
    Route.SELF_HARM: "【確認】つらい 気持ちかも しれません（大ちゃんは 確信が ありません）。相談窓口を 添えました。",
    Route.FRAUD: "【確認】詐欺かも しれません（大ちゃんは 確信が ありません）。#9110 の 案内を 添えました。",
    Route.PERSON: "【確認】人と 話したいのかも しれません（大ちゃんは 確信が ありません）。",
}


def safety_check_text(routes: tuple[Route, ...]) -> str:
    return "\n".join([*(SAFETY_CHECK_TEXT[r] for r in routes), SAFETY_CHECK_QUESTION])


def safety_check_choices(route: Route) -> tuple[Action, ...]:
    return (
        postback("だいじょうぶ", f"daichan:check?answer=ok&route={route.value}", "だいじょうぶ"),
        postback("たすけて", f"daichan:check?answer=help&route={route.value}", "たすけて"),
    )


HELP_MENU_TEXT = (
    f"困ったときは、下から えらんでな。\n命に かかわる ときは、すぐ {AMBULANCE} に 電話してな。"
)

# -- the model's words, overruled ---------------------------------------------------------------
OFFLINE_LABEL = "（大ちゃんの かんたん応答です。いまは AI につながっていません）"
FALLBACK_TEXT = (
    "ごめんな、いま ちょっと 考えが まとまらへんかった。\n"
    "少ししてから、もう一回 送ってくれる？\n"
    "急ぐときは「人と話したい」と送ってな。"
)
BUDGET_TEXT = (
    "今日は たくさん お話し できて うれしかったわ。\n"
    "大ちゃん ちょっと 休憩するな。また あした 話そうな。\n"
    "急ぐときは「人と話したい」と 送ってな。"
)
NUMBER_GUARD_TEXT = (
    "ごめんな、電話番号は 大ちゃんからは 言わへんことに してるねん。\n"
    "困ったときは、下の ボタンか メニューの「困ったとき」から えらんでな。"
)

# -- conversation around the edges --------------------------------------------------------------
GREETING_NEW = (
    "はじめまして！ 大ちゃんやで。10さいの 柴犬の AI や。\n"
    "なんでも 気軽に 話しかけてな。困ったときは メニューの「困ったとき」を 押してな。\n"
    "毎日 大ちゃんから あいさつ してほしいときは、下の ボタンを 押してな。"
)
GREETING_BACK = (
    "おかえり！ また 会えて うれしいわ。\n"
    "大ちゃんは AI やけど、いつでも 話を 聞くで。困ったときは「困ったとき」を 押してな。"
)
TALK_TEXT = (
    "大ちゃんやで！ 話しかけてくれて ありがとう。\n今日は どんな 一日？ なんでも 聞かせてな。"
)
UNKNOWN_BUTTON_TEXT = (
    "ごめんな、その ボタンは いま 使われへんねん。\n困ったときは「困ったとき」を 押してな。"
)
FORGET_CONFIRM_TEXT = (
    "大ちゃんが おぼえている ことを ぜんぶ 消して ええ？\n"
    "（お話の きろく、よび名、すきな こと、住んでる 地域）"
)
ASK_AREA_TEXT = (
    "近くの 説明会を 調べるから、どこの 市町村に 住んでるか 教えてくれる？（れい: 堺市）"
)
AREA_UNKNOWN_TEXT = "ごめんな、その 地域の 説明会は まだ ここに のってへんねん。"
FORGOTTEN_TEXT = "ぜんぶ 忘れたで。\nまた はじめましてから、よろしくな。"
FORGET_KEPT_TEXT = "わかった、そのまま おぼえとくな。"
LINK_HOW_TO_TEXT = (
    "ごめんな、まだ あなたの タブレットの 情報と つながってへんねん。\n"
    "タブレットを 借りている 方は、ヘルプデスクから もらった 8けたの 番号を ここに 送ってな。\n"
    "わからへんときは「人と話したい」と 送ってな。"
)
VOICE_NO_MODEL_TEXT = (
    "声の メッセージ ありがとう！\nごめんな、いまは 聞きとりが できへんねん。文字で 送ってくれる？"
)
VOICE_FAILED_TEXT = (
    "ごめんな、声が うまく 聞きとれへんかった。\nもう一回 送るか、文字で 送ってくれる？"
)
VOICE_RETRY_TEXT = "ごめんな。もう一回 ゆっくり 話すか、文字で 送ってな。"
CHECKIN_MENU_TEXT = (
    "毎日 決まった 時間に、大ちゃんから あいさつ するで。何時が ええ？\n"
    "しばらく 返事が ないときは、ヘルプデスクの 人が 電話で ようすを 聞くことも あるで。"
)
CHECKIN_OFF_TEXT = "毎日の あいさつは やめとくな。\nまた いつでも「毎日あいさつして」と 言うてな。"
CHECKIN_GREETINGS = (
    "大ちゃんやで！ 今日の 調子は どう？\n少し 外の 空気を 吸うと 気持ち ええで。",
    "大ちゃんやで！ 今日は だれかと お話しした？\nご近所さんに あいさつ するのも ええなあ。",
    "大ちゃんやで！ お水、飲んでる？\n近くの 公園まで 少し 歩いてみるのも ええよ。",
    "大ちゃんやで！ 今日は なにを する 予定？\nよかったら あとで 話 聞かせてな。",
    "大ちゃんやで！ 今日は ええこと あった？\n家族や お友だちに 電話してみるのも ええなあ。",
)

NON_TEXT_ANSWERS = {
    "sticker": "スタンプ ありがとう！ かわいいなあ。\n今日は どんな一日やった？",
    "image": "写真 ありがとう！\nごめんな、大ちゃんは まだ 写真を 見られへんねん。どんな写真か 言葉で 教えてくれる？",
    "video": "動画 ありがとう！\nごめんな、大ちゃんは 動画を 見られへんねん。どんな動画か 教えてくれる？",
    "location": "場所を 教えてくれて ありがとう！\nおでかけ 中かな？ 気をつけてな。",
    "file": "ファイル ありがとう。\nごめんな、大ちゃんは ファイルを 開けへんねん。",
}

# What the conversation memory keeps instead of a fixed safety text: the model sees that guidance
# was given, never the numbers (so it has nothing to repeat).
SAFETY_TURN_NOTE = {
    Route.EMERGENCY: "（救急の 案内を 送り、ヘルプデスクに 知らせました）",
    Route.SELF_HARM: "（こころの 相談先を 案内し、ヘルプデスクに 知らせました）",
    Route.FRAUD: "（詐欺に 気をつける 案内を 送り、ヘルプデスクに 知らせました）",
    Route.PERSON: "（ヘルプデスクの 人に つなぎました）",
}

# For the helpdesk: why Dai-chan asked for a person (staff read Japanese).
REQUEST_SUMMARY = {
    Route.EMERGENCY: "【緊急】体の 異変の 可能性。119 の 案内を 送りました。",
    Route.SELF_HARM: "【緊急】死にたい 気持ちなどの 可能性。相談窓口を 案内しました。",
    Route.FRAUD: "【詐欺の疑い】特殊詐欺の 可能性。#9110 と 家族への 確認を 案内しました。",
    Route.PERSON: "人と 話したいとの ご希望です。",
}
INACTIVITY_SUMMARY = (
    "毎日の あいさつを 希望している 方から {days}日 以上 返事が ありません。"
    "お電話で ようすを うかがってください。（大ちゃんより）"
)


def safety_text(route: Route, hours: DeskHours, *, consumer_fraud: bool = False) -> str:
    """The fixed guidance of `route`, ending with what the helpdesk will do and when."""
    if route is Route.EMERGENCY:
        return "\n".join([EMERGENCY_TEXT, desk_told(hours)])
    if route is Route.SELF_HARM:
        return "\n".join([SELF_HARM_TEXT, desk_told(hours) + SELF_HARM_CLOSING])
    if route is Route.FRAUD:
        lines = [FRAUD_TEXT]
        if consumer_fraud:
            lines.append(FRAUD_CONSUMER_LINE)
        lines.append(desk_told(hours))
        return "\n".join(lines)
    return person_text(hours)


# -- quick replies --------------------------------------------------------------------------------


def postback(label: str, data: str, display_text: str | None = None) -> PostbackAction:
    return PostbackAction(label=label, data=data, display_text=display_text or label)


HELP_MENU: tuple[Action, ...] = (
    postback("からだが へん", "daichan:help?topic=emergency", "からだの ぐあいが わるい"),
    postback("あやしい 電話", "daichan:help?topic=fraud", "あやしい 電話や 話が あった"),
    postback("こころが つらい", "daichan:help?topic=self_harm", "こころが つらい"),
    postback("人と 話したい", "daichan:help?topic=person", "人と 話したい"),
    postback("わたしの タブレット", "daichan:my_loan", "タブレットは いつ 返すの？"),
    postback("講座の 予定", "daichan:sessions", "次の 講座は いつ？"),
    postback("毎日の あいさつ", "daichan:checkin", "毎日の あいさつ"),
    postback("おぼえたことを 消す", "daichan:forget", "忘れて"),
)
FORGET_CHOICES: tuple[Action, ...] = (
    postback("はい", "daichan:forget?confirm=yes"),
    postback("いいえ", "daichan:forget?confirm=no"),
)
GREETING_CHOICES: tuple[Action, ...] = (
    postback("毎日 あいさつ してな", "daichan:checkin", "毎日 あいさつ してな"),
    postback("困ったとき", "daichan:help"),
)
# Times offered for the daily greeting (JST), as the label and the postback value.
CHECKIN_TIMES = (
    ("朝 8時", "08:00"),
    ("朝 10時", "10:00"),
    ("お昼 12時", "12:00"),
    ("夕方 5時", "17:00"),
)
CHECKIN_CHOICES: tuple[Action, ...] = (
    *(
        postback(label, f"daichan:checkin?at={at}", f"{label}に おねがい")
        for label, at in CHECKIN_TIMES
    ),
    postback("やめる", "daichan:checkin?at=off", "毎日の あいさつは いらない"),
)


def checkin_set_text(label: str) -> str:
    return (
        f"わかった！ 毎日 {label}ごろに あいさつ するな。\n"
        "やめたいときは「毎日の あいさつ」の ボタンから 変えられるで。"
    )


def voice_unsure(heard: str) -> tuple[str, tuple[Action, ...]]:
    """Ask whether Dai-chan heard right; "はい" sends the transcript as the senior's own text."""
    text = f"「{heard}」と 聞こえたけど、合ってる？"
    choices: tuple[Action, ...] = (
        MessageAction(label="はい", text=heard[:300]),
        postback("ちがう", "daichan:voice_retry"),
    )
    return text, choices


def name_learned_text(name: str) -> str:
    return f"これから「{name}」って よぶな。よろしくな！\n忘れてほしいときは「忘れて」と 送ってな。"


def interest_learned_text(interest: str) -> str:
    return f"{interest}が すきなんやね。おぼえとくな！\n忘れてほしいときは「忘れて」と 送ってな。"
