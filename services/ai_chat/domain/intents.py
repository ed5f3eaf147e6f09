"""Things a senior may ask for in words that Dai-chan answers from rules and data, not the model.

Each recogniser is deliberately narrow: a miss just means the model (or the offline responder)
answers, while a false hit would, say, offer to erase someone's memory mid-sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from services.common.language.text import normalise


class Intent(StrEnum):
    FORGET = "forget"
    HELP_MENU = "help_menu"
    MY_LOAN = "my_loan"
    SESSIONS = "sessions"
    CHECKIN = "checkin"


# Asked of Dai-chan itself, before any programme question (「忘れて」 is not a lost tablet).
COMMANDS = (Intent.FORGET, Intent.HELP_MENU, Intent.CHECKIN)


_FORGET = re.compile(
    r"^(?:大ちゃん|だいちゃん)?(?:私|わたし|わし|うち|僕|ぼく|俺)?(?:のこと|の話|のはなし)?(?:を|は)?"
    r"(?:全部|ぜんぶ|みんな)?(?:忘|わす)れて(?:ほしい|ください|な|ちょうだい|くれ|ええよ|いいよ|。)*$"
    r"|(?:記憶|きおく|覚えてること|おぼえてること|覚えたこと|おぼえたこと|会話|かいわ|履歴|りれき)"
    r"(?:を)?(?:全部|ぜんぶ)?(?:消|け)して"
)
_HELP = re.compile(
    r"^(?:困|こま)った(?:とき|時|こと)?(?:。)*$|^(?:へるぷ|めにゅー|使い方|つかいかた|help)(?:。)*$"
)
_LOAN = re.compile(
    r"(?:たぶれっと|端末|たんまつ|貸し出し|かしだし)[^。]{0,12}?"
    r"(?:返|かえ|戻|もど|いつまで|期限|きげん|締め切り)"
    r"|(?:返却|へんきゃく)(?:日|び|は|の|って|いつ)"
    r"|(?:いつ|何日|なんにち)[^。]{0,6}?(?:たぶれっと|端末)[^。]{0,6}?(?:返|かえ)"
)
_SESSIONS = re.compile(
    r"(?:講座|こうざ(?!ばんごう|番号|に)|説明会|せつめいかい|教室|きょうしつ|勉強会|べんきょうかい|"
    r"ふぉろーあっぷ|講習|こうしゅう)[^。]{0,12}?"
    r"(?:いつ|予定|よてい|日程|にってい|次|つぎ|申し込|もうしこ|予約|よやく|ある|あります)"
    r"|(?:次|つぎ)の(?:講座|こうざ|説明会|せつめいかい|教室|きょうしつ)"
)
_CHECKIN = re.compile(
    r"(?:毎日|まいにち|毎朝|まいあさ)[^。]{0,8}?(?:声|こえ|あいさつ|挨拶|連絡|れんらく|話しかけ|はなしかけ)"
)


def recognise(text: str) -> Intent | None:
    normalised = normalise(text)
    if _FORGET.search(normalised):
        return Intent.FORGET
    if _HELP.search(normalised):
        return Intent.HELP_MENU
    if _LOAN.search(normalised):
        return Intent.MY_LOAN
    if _SESSIONS.search(normalised):
        return Intent.SESSIONS
    if _CHECKIN.search(normalised):
        return Intent.CHECKIN
    return None


_YES = re.compile(
    r"^(?:はい|うん|ええ|ええよ|いいよ|おねがい|お願い|せや|そう|消して|けして|ok|おっけー|yes)"
)
_NO = re.compile(r"^(?:いいえ|いや|やめ|ちゃう|ちがう|違う|けさないで|消さないで|だめ|あかん|no)")


def confirmation(text: str) -> bool | None:
    """True for yes, False for no, None when the message is neither (e.g. a new topic)."""
    normalised = normalise(text)
    if len(normalised) > 12:
        return None
    if _NO.search(normalised):
        return False
    if _YES.search(normalised):
        return True
    return None


# The answer to a safety check: a short reply that asks for help or says all is well.
_CHECK_HELP = re.compile(
    r"(?:たすけ|助け|だいじょうぶじゃな|大丈夫じゃな|だいじょうぶちゃう|大丈夫ちゃう|あかん|しんどい|"
    r"くるし|苦し|いたい|痛い|きて|来て|むり|無理|だめ|ダメ|やばい|こわい|怖い|つらい|辛い)"
)
_CHECK_OK = re.compile(
    r"^(?:だいじょうぶ|大丈夫|へいき|平気|ok|おっけー|元気|げんき|問題な|もんだいな|なんともな|"
    r"何ともな|ありがと|はい|うん|ええよ|心配な|しんぱいな)"
)
MAX_CHECK_ANSWER = 20


def check_answer(text: str) -> str | None:
    """ "help", "ok", or None when the message is about something else."""
    normalised = normalise(text)
    if len(normalised) > MAX_CHECK_ANSWER:
        return None
    if _CHECK_HELP.search(normalised):
        return "help"
    if _CHECK_OK.search(normalised):
        return "ok"
    return None


# -- what the senior chose to share ------------------------------------------------------------

_NAME = re.compile(
    r"(?:(?:私|わたし|わし|うち|僕|ぼく|俺|おれ|あたし)(?:のこと)?(?:は|を)?)?"
    r"「?(?P<name>[^\s「」、。,.!！?？]{1,12}?)」?(?:って|と)(?:呼|よ)んで"
)
_INTEREST = re.compile(
    r"(?:趣味|しゅみ)(?:は|が)「?(?P<hobby>[^\s「」、。,.!！?？]{1,15}?)」?"
    r"(?:です|や|やで|だ|だよ|よ|かな|なんです|なんや|$|。|、|！|!)"
    r"|(?P<liked>[^\s「」、。,.!！?？はがを]{1,12}?)(?:が|は)(?:大好き|だいすき|好き|すき)"
    r"(?:です|や|やねん|なんです|なんよ|なん|だ|だよ|よ|$|。|、|！|!)"
)
_NOT_FACTS = {
    "あなた",
    "大ちゃん",
    "だいちゃん",
    "きみ",
    "君",
    "お前",
    "おまえ",
    "それ",
    "これ",
    "何",
    "なに",
    "誰",
    "だれ",
}
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class SharedFacts:
    preferred_name: str | None = None
    interest: str | None = None

    def __bool__(self) -> bool:
        return bool(self.preferred_name or self.interest)


def shared_facts(text: str) -> SharedFacts:
    """A name to be called by, or an interest, that the senior just told Dai-chan."""
    stripped = text.strip()
    name = None
    if match := _NAME.search(stripped):
        candidate = match.group("name")
        if candidate not in _NOT_FACTS and not _DIGITS.search(candidate):
            name = candidate
    interest = None
    if match := _INTEREST.search(stripped):
        candidate = match.group("hobby") or match.group("liked") or ""
        if candidate and candidate not in _NOT_FACTS and not _DIGITS.search(candidate):
            interest = candidate
    return SharedFacts(preferred_name=name, interest=interest)
