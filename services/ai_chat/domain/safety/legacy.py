"""Safety routing: which messages must get fixed guidance and a person, whatever the model says.

Rules run first and need nothing outside this process, so they work when the model is down. They
read the normalised text (`domain.text.normalise`: hiragana, half-width, no spaces), so each
pattern lists kanji and kana spellings and a few Kansai forms. The model's moderation, when it is
configured, can add a self-harm route the rules missed; it can never remove one.

The routes, most urgent first: emergency (119), self-harm (hotlines), fraud (#9110 / 188) and a
request for a person. Look-alikes such as 「胸がいっぱい」「死ぬほど笑った」「ATMの場所」 are kept out
by the patterns themselves (they need the dangerous part, not just a word) and by a short list
of harmless phrases removed before matching. Hiragana spellings are the hard part: short ones
hide inside everyday words (しのう in わたしのうち, ころ in ところ), so they are either anchored
or left to the kanji form. `python -m eval.redteam` measures both directions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from services.ai_chat.domain.text import normalise


class Route(StrEnum):
    EMERGENCY = "emergency"
    SELF_HARM = "self_harm"
    FRAUD = "fraud"
    PERSON = "person"


# Most urgent first: when a message matches several routes, this decides the order of guidance
# and the reason of the help request.
ROUTE_ORDER = (Route.EMERGENCY, Route.SELF_HARM, Route.FRAUD, Route.PERSON)


@dataclass(frozen=True)
class Detection:
    routes: tuple[Route, ...] = ()
    # Which rules fired (rule names, "moderation:self-harm", "menu"): for metrics and review.
    reasons: tuple[str, ...] = ()
    # Fraud of the consumer kind (fake bills, doorstep sales): the guidance adds 188.
    consumer_fraud: bool = False

    @property
    def primary(self) -> Route | None:
        return self.routes[0] if self.routes else None

    def __bool__(self) -> bool:
        return bool(self.routes)

    def merged(self, other: Detection) -> Detection:
        routes = tuple(r for r in ROUTE_ORDER if r in self.routes or r in other.routes)
        return Detection(
            routes=routes,
            reasons=self.reasons + other.reasons,
            consumer_fraud=self.consumer_fraud or other.consumer_fraud,
        )


def _alt(*options: str) -> str:
    return "(?:" + "|".join(options) + ")"


def _words(words: str) -> str:
    """Alternatives written as one space-separated string (patterns here never contain spaces)."""
    return _alt(*words.split())


def _gap(n: int) -> str:
    """Up to `n` characters within one sentence."""
    return f"[^。]{{0,{n}}}?"


# A hiragana spelling that must start a word (not continue one: わたしのうち is not しのう).
def _word(hiragana: str) -> str:
    return f"(?<![ぁ-ゖ]){hiragana}"


# Negative endings: 「痛くない」「痛くはありません」 do not describe a symptom.
_NOT = r"(?!くない|くなかった|くなく|くは|くあり|くもない)"
_CANNOT = _words("ない へん ひん ん(?:。|$|や|ねん|の|わ) ません なく なかった れへん")
_CHEST = _alt("胸", _word("むね"))
_BREATH = _alt("息", _word("いき"))
_ME = _alt(_words("私 わたし わし 俺 僕 ぼく 自分 じぶん あたし"), _word("うち"))
_PERSON_NEAR = _alt(
    _words(
        "夫 妻 主人 しゅじん おっと 家内 母 父 家族 かぞく 人が ひとが 友達 ともだち おばあ おじい 祖母 祖父 息子 娘 むすこ むすめ 孫 まご 隣 となり 相方 兄 姉 弟 妹"
    ),
    _ME,
)
# Context that turns "cannot stand / move" into a fall or an injury.
_FALL = _words(
    "転 ころん ころび ころげ こけ 倒 たおれ すべって 滑 落ち おちて 打っ うった うって めまい 目まい 眩 腰 足 膝 ひざ 痛 いたい いたく けが 怪我"
)
_KIN = _words("息子 むすこ 孫 まご 娘 むすめ 甥 姪 せがれ")
_CALL = _words(
    "電話 でんわ めーる sms しょーとめーる はがき 葉書 手紙 てがみ 知らない人 しらないひと 知らん人 しらんひと"
)
_MONEY = _words("お金 おかね 現金 げんきん")
_MONEY_ASK = _alt(
    _words("振り?込 ふりこ 送金 そうきん 現金書留"),
    _MONEY
    + _gap(8)
    + _words(
        "用意 ようい 準備 じゅんび 渡し わたし 渡せ 取りに とりに 送っ 送れ おくっ おくれ 振 貸 かし かせ 預け あずけ"
    ),
    _MONEY + "が?" + _words("いる 要る 必要 ひつよう 足りな たりな 戻 もど"),
    r"\d+万円?"
    + _gap(4)
    + _words("いる 要る 必要 ひつよう 用意 ようい 振り?込 ふりこ 貸 かし 払 はら"),
    _words("口座 こうざ")
    + _gap(4)
    + _words("教え おしえ 聞か きか 聞い きい 使われ つかわれ 凍結 とうけつ"),
    _words("atm 電子まねー ぎふとかーど ぷりぺいど きゃっしゅかーど"),
    _words("暗証 あんしょう"),
    _words("還付 かんぷ"),
)
_STAFF = _alt(
    _words("人間 にんげん (?<![一-龥々])人"),
    _word("ひと"),
    _words(
        "すたっふ 担当 たんとう 係の人 係の方 おぺれーたー へるぷですく 窓口 まどぐち 職員 しょくいん 相談員 そうだんいん 誰か だれか"
    ),
)
_TALK = _alt(
    _words("話 はな") + _words("したい させて してほしい してもら がしたい しとうて"),
    _words("代 か") + "わって",
    _words("繋 つな") + _words("いで げて ぎたい いでほしい がりたい"),
    _words("相談 そうだん") + _words("したい させて できる でけ"),
    _words("電話 でんわ") + _words("したい してほしい ください ちょうだい"),
    _words("電話 でんわ")
    + "して"
    + _gap(4)
    + _words("聞きたい ききたい 相談 そうだん 話し はなし"),
)


@dataclass(frozen=True)
class Rule:
    name: str
    route: Route
    pattern: re.Pattern[str]
    # Every one of these must match too (co-occurrence anywhere in the message).
    also: tuple[re.Pattern[str], ...] = ()
    consumer: bool = False

    def matches(self, text: str) -> bool:
        return bool(self.pattern.search(text)) and all(p.search(text) for p in self.also)


def _rule(name: str, route: Route, pattern: str, *also: str, consumer: bool = False) -> Rule:
    return Rule(
        name=name,
        route=route,
        pattern=re.compile(pattern),
        also=tuple(re.compile(p) for p in also),
        consumer=consumer,
    )


E, S, F, P = Route.EMERGENCY, Route.SELF_HARM, Route.FRAUD, Route.PERSON

_EMERGENCY_RULES = (
    _rule("chest_pain", E, _CHEST + _gap(6) + _words("痛 いた") + _NOT),
    _rule(
        "chest_tight",
        E,
        _CHEST + _gap(6) + _words("苦し くるし ぐるし 締め付け しめつけ 圧迫 あっぱく"),
    ),
    _rule(
        "cannot_breathe",
        E,
        _BREATH
        + _alt(_words("が も を"), "")
        + _alt(_words("うまく 上手く ちゃんと"), "")
        + _words("でき 出来 でけ 吸え すえ 吸わ すわ")
        + _CANNOT,
    ),
    _rule("breath_hard", E, _BREATH + _gap(3) + _words("苦し くるし ぐるし")),
    _rule(
        "breath_difficult",
        E,
        _BREATH
        + _alt("が", "も", "を", "")
        + _words("吸い すい 吸い込み し")
        + _words("にく づら ずら"),
    ),
    _rule(
        "not_breathing",
        E,
        _BREATH + _alt("を", "") + "し" + _words("て と とっ") + _alt("い", "") + _CANNOT,
    ),
    _rule(
        "no_response",
        E,
        _alt(
            _words("返事 へんじ") + _alt("を", "") + _words("しない せえへん せん しなくな"),
            _words("反応 はんのう") + _alt("が", "") + _words("ない なく あらへん"),
        ),
        _PERSON_NEAR,
    ),
    _rule(
        "limb_weakness",
        E,
        _words("手 足 腕 うで 体 からだ 半身 片方 片側")
        + _gap(4)
        + _words("力 ちから")
        + _alt("が", "")
        + _words("入ら はいら")
        + _CANNOT,
    ),
    _rule(
        "breathing",
        E,
        _words("呼吸 こきゅう")
        + _gap(4)
        + _alt(_words("苦し くるし おかし 変 荒"), _words("でき 出来") + _CANNOT),
    ),
    _rule(
        "choking",
        E,
        _words("喉 のど") + _gap(8) + _words("詰ま つま") + _words("った って る"),
    ),
    _rule("cannot_get_up", E, _words("起き上が 起きあが おきあが") + "れ" + _CANNOT),
    _rule(
        "fell_cannot_stand",
        E,
        _words("立 た") + _words("て たれ ちあがれ ち上がれ") + _CANNOT,
        _FALL,
    ),
    _rule("cannot_stay_up", E, _words("立 た") + "って" + _alt("い", "") + "られ" + _CANNOT),
    _rule(
        "limp",
        E,
        _words("ぐったり 目の前が真っ暗 めのまえがまっくら 目の前が真っ白 息が止まり いきがとまり"),
    ),
    _rule(
        "no_waking",
        E,
        _words("呼んでも よんでも 声をかけても こえをかけても ゆすっても 揺すっても")
        + _gap(4)
        + _words("起きな おきな 起きへん おきへん 返事 へんじ 反応 はんのう 目を覚まさ めをさまさ"),
    ),
    _rule(
        "bleeding_head",
        E,
        _words("血 ち") + "が" + _words("出 で") + _words("てる とる た て"),
        _words("頭 あたま たくさん いっぱい 大量 顔 こけ 転 ころん 落ち 倒"),
    ),
    _rule("fell_cannot_move", E, _words("動 うご") + _words("け かれ") + _CANNOT, _FALL),
    _rule("fell_cannot_rise", E, _words("起き おき") + _words("られ れ") + _CANNOT, _FALL),
    _rule(
        "someone_collapsed",
        E,
        _PERSON_NEAR
        + _alt(_words("が は も さんが ちゃんが") + _gap(6), "")
        + _words("倒 たお")
        + "れ"
        + _words("た て とる ちゃ まし"),
    ),
    _rule("collapsed", E, "^" + _words("倒 たお") + "れ" + _words("た て ました")),
    _rule(
        "unconscious",
        E,
        _alt(
            _words("意識 いしき")
            + "が"
            + _words("ない 無い なく もうろう 朦朧 おかし 遠の とおの"),
            "もうろうと",
            "朦朧",
        ),
    ),
    _rule("bleeding", E, _alt("血", _word("ち")) + "が" + _words("止ま とま") + "ら"),
    _rule("slurred", E, _words("ろれつ 呂律") + _gap(2) + _words("回 まわ") + "ら"),
    _rule(
        "sudden_symptom",
        E,
        _words("急 きゅう")
        + "に"
        + _gap(4)
        + _words(
            "しびれ 痺れ しゃべれ 喋れ 力が入ら ちからがはいら 手が動か 足が動か 体が動か からだがうごか 目が見え めがみえ もの?が二重"
        ),
    ),
    _rule(
        "severe_headache",
        E,
        _alt(
            _words("激し はげし") + "い" + _gap(3) + _words("頭痛 ずつう 痛み いたみ"),
            _words("頭 あたま") + "が" + _words("割れ われ"),
        ),
    ),
    _rule(
        "ambulance",
        E,
        _words("救急車 きゅうきゅうしゃ") + _gap(4) + _words("呼 よ") + _words("ん ぶ び べ"),
    ),
    _rule("call_119", E, r"(?<![\d#])119(?![\d円えん個件])"),
    _rule(
        "fire",
        E,
        _alt(
            "火事",
            "火が" + _words("出 で") + _words("た て"),
            _words("家 いえ") + "が" + _words("燃 も") + "え",
        ),
    ),
    _rule("help_someone", E, _words("誰 だれ") + "か" + _words("助 たす") + "けて"),
    _rule("help_alone", E, "^" + _words("助 たす") + "けて" + "[えてー。]*$"),
    _rule("help_hurt", E, _words("助 たす") + "けて", _alt(_FALL, _words("苦し くるし 血"))),
    _rule(
        "overdose",
        E,
        _words("薬 くすり")
        + _gap(8)
        + _words("たくさん 大量 いっぱい 全部 ぜんぶ まとめて")
        + _gap(4)
        + _words("飲 の")
        + "ん",
    ),
    _rule("seizure", E, _words("けいれん 痙攣")),
    _rule(
        "heatstroke",
        E,
        _words("熱中症 ねっちゅうしょう") + _words("かも みたい になっ や です っぽ"),
    ),
    _rule("bad_burn", E, _words("やけど 火傷") + _gap(6) + _words("ひど 酷 大き 広")),
)

_SELF_HARM_RULES = (
    _rule(
        "fine_to_die",
        S,
        _words("死 し") + "んでも" + _words("かまへん かまわない かまわん いい ええ よい"),
    ),
    _rule(
        "thinking_of_death",
        S,
        _words("死 し")
        + "ぬ"
        + _words("こと 事")
        + _gap(2)
        + _words("ばかり ばっかり 考え かんがえ 思っ おもっ"),
    ),
    _rule("way_out", S, _words("楽 らく") + "になる" + _words("方法 ほうほう やり方 やりかた")),
    _rule(
        "not_wake",
        S,
        _words("目 め")
        + "が"
        + _words("覚め さめ")
        + _words("なければ なかったら へんかったら んかったら"),
    ),
    _rule(
        "burden",
        S,
        _words("迷惑 めいわく")
        + _gap(10)
        + _words("いない 居ない おらん おらへん 消え きえ 死 いなくな"),
    ),
    _rule(
        "pill_plan",
        S,
        _alt(
            _words("薬 くすり")
            + _gap(8)
            + _words("全部 ぜんぶ まとめて たくさん 大量 いっぱい")
            + _gap(4)
            + _words("飲も のも 飲みたい のみたい"),
            _words("薬 くすり") + _alt("を", "") + _words("ため 溜め 貯め") + _words("て とる"),
        ),
    ),
    _rule("want_to_die", S, _words("死 し") + "に" + _words("たい たく とう")),
    _rule("lets_die", S, _alt("死のう", _word("しのう"))),
    _rule(
        "die_away",
        S,
        _alt("死", _word("し"))
        + "んで"
        + _words("しまいたい しまおう しもたら しまえたら 楽に らくに"),
    ),
    _rule(
        "better_dead",
        S,
        _alt("死", _word("し"))
        + "んだ"
        + _words("ほう 方")
        + "が"
        + _words("まし ええ いい よい 楽 らく"),
    ),
    _rule(
        "only_death",
        S,
        _alt("死", _word("し")) + "ぬ" + _words("しか ほか") + _words("ない あらへん ありません"),
    ),
    _rule(
        "disappear",
        S,
        _alt("消", _word("き")) + "え" + _words("たい てしまいたい てなくなりたい"),
    ),
    _rule("be_gone", S, _words("いなく 居なく") + "なりたい"),
    _rule(
        "not_living",
        S,
        _alt("生", _word("い"))
        + _words("きて きとって きとっ きてて")
        + _gap(3)
        + _words("たくな いたくな もしょうがな も仕方 もしかた もしゃあな もしゃーな"),
    ),
    _rule(
        "no_meaning",
        S,
        _alt("生", _word("い"))
        + _words("きて きる きとる きてる きている")
        + _gap(3)
        + _words("意味 いみ 価値 かち 気力 きりょく 希望 きぼう 甲斐 がい")
        + _gap(2)
        + _words("ない 無い あらへん ありません なく なん な$ な。"),
    ),
    _rule(
        "life_hard",
        S,
        _alt("生", _word("い"))
        + "きる"
        + _words("の こと")
        + _gap(3)
        + _words("つら 辛 しんど 疲 つか 嫌 いや"),
    ),
    _rule("suicide", S, _words("自殺 じさつ 自死")),
    _rule(
        "hanging",
        S,
        _words("首 くび") + _alt("を", "") + _words("吊 つ") + _words("る ろう り"),
    ),
    _rule(
        "jump",
        S,
        _words("飛 と") + "び" + _words("降 お") + "り" + _words("たい よう る ろう"),
    ),
    _rule(
        "cut_wrist",
        S,
        _alt(
            _words("手首 てくび") + _gap(2) + _words("切 き") + _words("る った りたい ろう"),
            "りすとかっと",
            _word("りすか"),
        ),
    ),
    _rule(
        "want_relief",
        S,
        "もう" + _gap(4) + _words("楽 らく") + "に" + _words("なりたい なろう してほしい"),
    ),
    _rule(
        "end_everything",
        S,
        _words("全部 ぜんぶ 人生 じんせい 何もかも なにもかも")
        + _gap(3)
        + _words("終わり おわり 終わら おわら")
        + _words("にしたい せたい"),
    ),
    _rule(
        "leave_this_world",
        S,
        _words("この世 このよ")
        + _gap(2)
        + _words("から を")
        + _gap(3)
        + _words("消え きえ 去り さり いなく おさらば"),
    ),
    _rule(
        "better_gone",
        S,
        _ME
        + _gap(6)
        + _words("いない 居ない おらん おらへん")
        + _words("ほう 方")
        + "が"
        + _words("まし ええ いい よい"),
    ),
    _rule(
        "never_born",
        S,
        _words("生 う") + "まれて" + _words("こなけれ こんかった こなかった きたくな"),
    ),
    _rule("despair", S, _words("絶望 ぜつぼう") + _words("し や だ です 感 かん")),
    _rule(
        "all_hateful",
        S,
        _words("何もかも なにもかも") + _gap(3) + _words("嫌 いや") + _words("にな や。 や$ だ"),
    ),
    _rule(
        "english_self_harm",
        S,
        _alt(
            "kill myself",
            "killmyself",
            "suicid",
            "want to die",
            "wanttodie",
            "end my life",
            "endmylife",
        ),
    ),
)

_FRAUD_RULES = (
    _rule(
        "refund",
        F,
        _words("還付 かんぷ"),
        _alt(_CALL, _words("atm 口座 こうざ 携帯 けいたい")),
    ),
    _rule(
        "atm_instructed",
        F,
        "atm",
        _words(
            "言われ いわれ 指示 しじ 電話 でんわ 戻 もど 返金 へんきん 還付 かんぷ 操作して そうさして 携帯 けいたい"
        ),
    ),
    _rule(
        "pin_request",
        F,
        _words("暗証 あんしょう")
        + _gap(6)
        + _words("教え おしえ 聞か きか 聞い きい 言って 伝え つたえ 書い 確認 かくにん 言え"),
    ),
    _rule(
        "card_pickup",
        F,
        _words("きゃっしゅかーど 通帳 つうちょう 銀行のかーど ぎんこうのかーど")
        + _gap(8)
        + _words(
            "取りに とりに 預か あずか 渡して わたして 渡す わたす 交換 こうかん 封筒 ふうとう 送って おくって 回収 かいしゅう"
        ),
    ),
    _rule(
        "card_collect",
        F,
        "かーど"
        + _gap(6)
        + _words("預かり あずかり 取りに来 とりにく 回収 かいしゅう 封筒 ふうとう"),
    ),
    _rule(
        "son_new_number",
        F,
        _KIN
        + _gap(14)
        + _words("番号 ばんごう 携帯 けいたい 電話 でんわ すまほ")
        + _gap(6)
        + _words("変わ かわ 変え かえ 新し あたらし"),
    ),
    _rule(
        "kin_needs_money",
        F,
        _alt(_KIN, "俺")
        + _gap(24)
        + _alt(_MONEY, "金が", "かねが", r"\d+万")
        + _gap(14)
        + _words(
            "いる 要る 必要 ひつよう 貸 かし かせ 用意 ようい 振り?込 ふりこ 至急 しきゅう すぐ"
        ),
    ),
    _rule("kin_impersonation", F, _KIN + _words("を名乗 をなの と名乗 となの を名の")),
    _rule("cheque", F, _words("小切手 こぎって")),
    _rule(
        "card_misused",
        F,
        _words("不正 ふせい")
        + _gap(3)
        + _words("使われ つかわれ 利用され りようされ 引き出され ひきだされ"),
        _alt(_CALL, _words("かーど 口座 こうざ")),
    ),
    _rule("ore_ore", F, _words("おれおれ 俺俺 俺やけど 俺だけど おれやけど おれだけど")),
    _rule("settlement", F, _words("示談 じだんきん")),
    _rule(
        "fake_police",
        F,
        _words(
            "警察 けいさつ 刑事 けいじ 捜査 金融庁 きんゆうちょう 銀行協会 ぎんこうきょうかい 検察 けんさつ 役所 やくしょ 年金事務所 税務署"
        )
        + _words("から を名乗 と名乗 をなの となの の人 官 と言う という やという だという を名の")
        + _gap(20)
        + _alt(
            _CALL,
            _words("きゃっしゅかーど かーど 口座 こうざ 暗証 あんしょう"),
            _MONEY,
            _words("逮捕 たいほ 預金 よきん 振り?込 ふりこ"),
        ),
    ),
    _rule("call_about_money", F, _CALL, _MONEY_ASK),
    _rule(
        "consumer_billing",
        F,
        _words(
            "架空請求 かくうせいきゅう 未納 みのう 利用料 りようりょう 訴訟 そしょう 裁判 さいばん 身に覚えのない みにおぼえのない 定期購入 ていきこうにゅう"
        ),
        _alt(_CALL, _words("払 はらえ はらっ はらわ 請求 せいきゅう 届 とど 来 き[たて]")),
        consumer=True,
    ),
    _rule(
        "prize",
        F,
        _words("当選 とうせん 当たりました あたりました"),
        _alt(_words("手数料 てすうりょう 振り?込 ふりこ 払 はらっ はらえ"), _MONEY),
        consumer=True,
    ),
    _rule(
        "prepaid_cards",
        F,
        _words("電子まねー ぎふとかーど ぷりぺいど あまぞんかーど itunesかーど"),
        _words("番号 ばんごう 言われ いわれ 買って かって 支払 しはらい 払って はらって 写真"),
        consumer=True,
    ),
    _rule(
        "doorstep_sales",
        F,
        _alt(
            _words("屋根 やね") + _gap(8) + _words("修理 しゅうり 点検 てんけん 工事 こうじ"),
            _words("訪問販売 ほうもんはんばい 押し買い おしがい 点検商法"),
        ),
        _words("来 き[たて] 言われ いわれ 急 勧 すす 契約 けいやく"),
        consumer=True,
    ),
)

_PERSON_RULES = (
    _rule(
        "talk_to_person",
        P,
        _STAFF
        + _alt(_words("の人 のひと の方 のかた 者 さん"), "")
        + _words("と に へ")
        + _gap(4)
        + _TALK,
    ),
    _rule(
        "human_please",
        P,
        _words("人間 にんげん 本物の人 ほんものの人 ほんもののひと")
        + _gap(2)
        + _words("がいい がええ を出して にかわって に代わって と話"),
    ),
    _rule(
        "anyone_human",
        P,
        _words("人間 にんげん")
        + _alt(_words("の人 のひと の方"), "")
        + _words("おる いる いますか いません おらん"),
    ),
    _rule(
        "not_a_bot",
        P,
        _words("ai えーあい ろぼっと 機械 きかい 大ちゃん だいちゃん")
        + _words("じゃなくて ではなく やなくて とちゃう"),
    ),
    _rule(
        "call_me",
        P,
        "^"
        + _alt(_words("誰か だれか そちら そっち"), "")
        + _alt("から", "")
        + _words("電話 でんわ")
        + _words("して ください ほしい ちょうだい くれ"),
    ),
    _rule(
        "helpdesk",
        P,
        "へるぷですく",
        _words("話 はな つな 繋 電話 でんわ 相談 そうだん 連絡 れんらく お願い おねがい 呼 よん"),
    ),
)

RULES: tuple[Rule, ...] = _EMERGENCY_RULES + _SELF_HARM_RULES + _FRAUD_RULES + _PERSON_RULES

# Harmless phrases that share words with the rules; removed before matching. Keep this short:
# every entry is a hole the rules cannot see through.
HARMLESS = re.compile(
    _alt(
        _words("死 し") + "ぬ" + _words("ほど かと思 かとおも ぐらい くらい"),
        "死にそう",
        _CHEST + "が" + _words("いっぱい 一杯 おどる 躍る 高鳴 たかな 熱く あつく"),
        _CHEST
        + "が"
        + _words("痛 いた")
        + "む"
        + _words("話 はなし にゅーす 事件 じけん 出来事 できごと 思い おもい"),
        _words("息 いき") + "が" + _words("合 あ") + "[うっ]",
        _words("火事 事故 地震")
        + "の"
        + _words("にゅーす 話 はなし 夢 ゆめ 番組 どらま 訓練 くんれん"),
        "に" + _words("たい 対") + "し" + _words("て た ます"),
        "にたいする",
        "119番の日",
        _CHEST
        + _gap(6)
        + _words("苦し くるし 痛 いた 熱 あつ")
        + "くなる"
        + _words("ほど くらい ぐらい ような")
        + _gap(2)
        + _words(
            "感動 かんどう うれし 嬉し 幸せ しあわせ 映画 えいが 話 はなし どらま 本 ほん 歌 うた"
        ),
    )
)


def detect(text: str) -> Detection:
    """The safety routes the rules find in a senior's message (empty when none)."""
    normalised = HARMLESS.sub("。", normalise(text))
    if not normalised.strip("。"):
        return Detection()
    hits = [rule for rule in RULES if rule.matches(normalised)]
    if not hits:
        return Detection()
    routes = tuple(r for r in ROUTE_ORDER if any(rule.route is r for rule in hits))
    return Detection(
        routes=routes,
        reasons=tuple(rule.name for rule in hits),
        consumer_fraud=any(rule.consumer for rule in hits),
    )


@dataclass(frozen=True)
class Moderation:
    """What the model's moderation said about a message (only what routing uses)."""

    flagged: bool
    self_harm: bool
    categories: tuple[str, ...] = field(default_factory=tuple)

    def detection(self) -> Detection:
        if not self.self_harm:
            return Detection()
        return Detection(routes=(Route.SELF_HARM,), reasons=("moderation:self-harm",))


# Phone numbers Dai-chan must never write itself: anything that looks dialable. Safety numbers
# come only from the fixed templates; a model that writes one (even a right one) is overruled.
_PHONE = re.compile(
    r"#\s?\d{4}"  # #7119, #9110
    r"|(?<![\d.,])(?:110|119|188|117|171|189)(?![\d.,]|円|年|人|個|件|歳|才|cm|km|kg|g|%)"
    r"|(?<![\d.,])0\d{1,4}[-ー() ]?\d{1,4}[-ー() ]?\d{3,4}(?!\d)"  # 0120-279-338, 06-1234-5678
    r"|(?<![\d.,])\d{10,}(?!\d)"
)


def contains_phone_number(text: str) -> bool:
    return bool(_PHONE.search(unicodedata.normalize("NFKC", text)))
