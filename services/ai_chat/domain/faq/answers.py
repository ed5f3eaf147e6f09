"""The FAQ's answers, in Dai-chan's voice (短い やさしい日本語, a little Kansai, no markdown).

Facts come from the programme's published description (50 or over, the target areas, free for up
to six months, explanatory and follow-up sessions, a helpdesk by phone and e-mail) and from the
helpdesk's own settings (its hours and number), never from the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.ai_chat.domain.faq.questions import Topic
from services.common.time import parse_hours, parse_weekdays
from services.common.wording import clock_time, weekdays_in_words

PAST_AREAS = "生野区、東住吉区、住吉区、阿倍野区、泉大津市"


@dataclass(frozen=True)
class Desk:
    """How the helpdesk is reached: its hours in words (「平日の 午前9時から 午後5時まで」), and
    its phone number and e-mail address when the programme has published them."""

    hours: str
    phone: str = ""
    email: str = ""

    def how_to_reach(self) -> str:
        ways = [
            f"電話 {self.phone}" if self.phone else "",
            f"メール {self.email}" if self.email else "",
        ]
        listed = "、".join(way for way in ways if way)
        reach = f"{listed}、" if listed else ""
        return (
            f"ヘルプデスクは {self.hours} やで。{reach}この LINE で「人と話したい」でも つなぐで。"
        )


def hours_in_words(business_hours: str, business_days: str, *, observe_holidays: bool) -> str:
    """The helpdesk's settings (`HELPDESK_BUSINESS_HOURS`, `HELPDESK_BUSINESS_DAYS`) as a senior
    reads them, in the time format Dai-chan uses everywhere (午後5時, not 17:00)."""
    opens, closes = parse_hours(business_hours)
    days = weekdays_in_words(parse_weekdays(business_days))
    closed = "（祝日と 年末年始は お休み）" if observe_holidays else ""
    if (opens, closes) == (0, 24 * 60):
        return f"{days}{closed}は 一日中"
    return f"{days}{closed}の {clock_time(opens)}から {clock_time(closes)}まで"


DEFAULT_DESK = Desk(hours=hours_in_words("09:00-17:00", "mon-fri", observe_holidays=True))


def answer(topic: Topic, desk: Desk) -> str:
    reach = desk.how_to_reach()
    if topic is Topic.APPLY:
        return (
            "タブレットの 貸し出しは、住んでる 市や 区が 対象の 地域に なったときに、"
            "市や 区を 通して 申しこむで。案内は 広報や 説明会で 知らせてるよ。\n" + reach
        )
    if topic is Topic.ELIGIBILITY:
        return (
            "借りられるのは、50さい 以上で、対象の 地域に 住んでる 人やで。お金は かからへん、"
            "無料で いちばん 長くて 6か月 借りられるよ。\n"
            f"これまでの 地域は {PAST_AREAS} やったで。次の 地域は ヘルプデスクに 聞いてな。\n"
            + reach
        )
    if topic is Topic.SESSIONS:
        return (
            "説明会は、借りる 前に 事業と タブレットの 使い方を 教えてもらえる 会やで。"
            "借りてる あいだは、もっと 使えるように なる フォローアップ説明会も あるよ。"
        )
    if topic is Topic.RETURN:
        return (
            "タブレットは いちばん 長くて 6か月 借りられて、終わる 前に 返し方の 案内が 届くで。"
            "早めに 返したい ときも、ヘルプデスクに 言うてな。\n" + reach
        )
    if topic is Topic.BROKEN_LOST:
        return (
            "こわれたり、なくしたり したときは、まず ヘルプデスクに 知らせてな。"
            "自分で なおそうと せんで ええよ。なくした ときは 警察にも 届けてな。\n" + reach
        )
    return reach
