"""Asking for a human."""

from __future__ import annotations

from services.common.language.concepts import concept, union

# -- asking for a human -----------------------------------------------------------------------------
# The programme's people, named as such.
STAFF_ROLE = concept(
    "staff_role",
    "担当 担当者 スタッフ 職員 係 係員 係の人 オペレーター オペ ヘルプデスク 窓口 相談員 事務局 "
    "コールセンター サポートセンター 事務所 相談窓口 責任者 サポート 人間 生身 人間様 受付",
    kana="すたっふ へるぷですく おぺれーたー じむきょく たんとう しょくいん にんげん",
)
# A person, said while asking for one (人と話したい, 誰か人おらんの).
SOMEONE = concept(
    "someone", "人 人様 方 誰か 誰 本物 ほんまもん 本当", kana="ひと だれか", pos="noun pronoun"
)
STAFF = union("staff", STAFF_ROLE, SOMEONE)
# Titles that ask for a person even said on their own (「係の人」「オペレーター」).
STAFF_TITLE = concept(
    "staff_title",
    "ヘルプデスク 事務局 オペレーター オペ 係の人 責任者 担当者 スタッフ 職員 窓口 相談員 係員",
    kana="へるぷですく おぺれーたー",
)
NOT_STAFF = concept(
    "not_staff",
    "息子 娘 孫 夫 妻 主人 家族 友達 友人 先生 医者 近所 兄弟 姉妹 母 父 親 嫁 婿 親戚 彼氏 "
    "彼女 ケアマネ ヘルパー 看護師 姉 兄 弟 妹 甥 姪 知り合い 仲間",
)
PRAISE = concept(
    "praise",
    "親切 優しい やさしい 丁寧 良い 感謝 ありがたい 助かる 素敵 上手 分かりやすい 面白い 楽しい 気さく",
)
ASK_FOR = concept(
    "ask_for",
    "話す 相談 代わる 変わる 繋ぐ つなぐ 呼ぶ 出す 応対 喋る 会話 お願い 願う 頼む 問い合わせる "
    "話せる 喋れる 替わる 説明 電話",
    reads="はなしたい はなさせ はなさして はなせ かわって つないで よんで だして おねがい",
)
PLEASE = concept(
    "please",
    "たい 欲しい ほしい 下さい ください もらう 頂く いただく 願う 頼む ちょうだい 呉れる くれる "
    "貰える もらえる せる させる お願い 出来る できる",
    reads="ください ちょうだい ほしい おねがい させて さして てや てえな てんか くれへん もらえへん "
    "もらえない もらえますか いただけ はなせますか はなせる はなせへん できますか "
    "かわって つないで よんで だして よんだって かわってや だしてや",
)
PRESENT = concept(
    "present",
    "",
    reads="おる おらん おらへん おりますか いる いますか いませんか いらっしゃいますか いないの "
    "いないんですか おらんの",
)
CALL_ME = concept(
    "call_me",
    "",
    reads="でんわください でんわくらさい でんわをください でんわをいただけ でんわもらえ "
    "でんわしてほしい でんわしてもらえ でんわしてあげて でんわちょうだい でんわしてください "
    "でんわくれへん でんわほしい でんわしてくれ でんわかけてほしい でんわをかけてもらえ",
)
AI = concept("ai", "AI ロボット 機械 大ちゃん 人工知能 自動 チャット ボット", kana="えーあい")
REFUSE = concept(
    "refuse",
    "嫌 いや 否 要らない いらない 要る 駄目 だめ あかん 話にならない 役に立つ 無理 じゃない "
    "ではない",
    reads="じゃなくて ではなく じゃなく いらん あかん",
)
NO_SENSE = concept(
    "no_sense", "", reads="はなしにならん はなしにならない はなしがつうじ はなしつうじ"
)
HELPDESK_NUMBER = concept("helpdesk_number", "電話番号 番号 連絡先", pos="noun")
TELL = concept("tell", "教える 知る 何番", reads="おしえて")
