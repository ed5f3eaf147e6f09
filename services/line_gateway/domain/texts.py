"""What the gateway itself says to seniors: fixed texts in Dai-chan's voice, short lines.

Dai-chan (ai_chat) does the talking; the gateway speaks only about the account itself: linking,
group chats, and voice messages it cannot pass on.
"""

from __future__ import annotations

GROUP_NOTE = (
    "おおさか楽なびを 追加してくれて ありがとう！\n"
    "ごめんな、グループでは お返事 できへんねん。\n"
    "大ちゃんとの おしゃべりや 相談は、おおさか楽なびとの 1対1の トークで してな。"
)

LINK_SUCCESS = (
    "LINEの 連携が できたで。ありがとう！\n"
    "これからは、タブレットを 返す日や 説明会の 予定を、大ちゃんが お知らせするな。\n"
    "下の メニューの「わたしのタブレット」から いつでも 見られるで。"
)
LINK_ALREADY = "この LINEは もう 連携できてるで。安心してな。"
LINK_WRONG = (
    "ごめんな、この 番号は 見つからへんかったわ。\n"
    "お渡しした 紙に 書いてある 8けたの 数字を、もう一回 見てみてな。\n"
    "わからへんときは、メニューの「困ったとき」を 押してな。"
)
LINK_EXPIRED = "ごめんな、この 番号は 期限が 切れてるねん。\n事務局で 新しい 番号を もらってな。"
LINK_USED = (
    "この 番号は もう 使われてるで。\n"
    "連携が うまく いってへんときは、メニューの「困ったとき」を 押してな。"
)
LINK_RATE_LIMITED = (
    "番号の まちがいが 続いたから、いまは 受け付けを お休みしてるねん。\n"
    "1時間ほど あけてから、もう一回 送ってみてな。"
)
LINK_HELP = (
    "LINE連携の しかた\n"
    "① 事務局から お渡しした 紙に、8けたの 番号が 書いてあるで。\n"
    "② その 番号を、この トークに そのまま 送ってな。（例：12345678）\n"
    "③「連携が できたで」と 届いたら 完了や。\n"
    "連携すると、タブレットを 返す日や 説明会の 予定を お知らせできるで。"
)

AUDIO_TOO_LONG = (
    "声の メッセージ ありがとう！\n"
    "ごめんな、ちょっと 長くて 聞きとれへんかったわ。\n"
    "1分より 短く 分けて、もう一回 送ってくれる？"
)
