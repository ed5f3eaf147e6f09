"""Around the body: fire, gas, water, intruders."""

from __future__ import annotations

from services.common.language.concepts import concept

# -- around the body: fire, gas, intruders ------------------------------------------------------
FIRE = concept(
    "fire",
    "火事 火災 燃える 炎 煙 焦げ臭い 燃え移る 火 発火 出火 黒煙 煙い",
    kana="かじ けむり もえて",
)
FIRE_NAMED = concept("fire_named", "火事 火災 出火 燃え移る 炎上", kana="かじ かじです")
FIRE_NOW = concept(
    "fire_now",
    "出る 付く つく 上がる 燃え移る 燃える 充満 広がる 立つ 出てる 見える 臭い 匂い 消える "
    "すごい 凄い いっぱい 一杯 沢山 たくさん もくもく モクモク 部屋 台所 家 天井 カーテン 鍋",
)
GAS = concept("gas", "ガス ガス漏れ プロパン", kana="がす")
SMELL_LEAK = concept(
    "smell_leak", "臭い 匂い 漏れる 臭う 匂う 充満 くさい シュー", kana="くさい におい"
)
INTRUDER = concept("intruder", "泥棒 強盗 不審者 侵入 空き巣 ", kana="どろぼう ごうとう")
INSIDE = concept(
    "inside",
    "家 中 部屋 入る 入り込む 押し入る 侵入 いる 居る 窓 玄関 二階 台所 寝室",
    pos="noun verb",
)
VIOLENCE = concept(
    "violence",
    "殴る 暴力 刃物 包丁 ナイフ 振り回す 脅す 襲う 蹴る 首を絞める 暴れる",
    kana="なぐられ なぐる たたかれ",
)
AMBULANCE = concept("ambulance", "救急車 救急 119", kana="きゅうきゅうしゃ")
ALLERGY_BODY = concept(
    "allergy_body",
    "息 呼吸 喉 唇 顔 全身 まぶた 瞼 舌 意識 目眩 めまい 口 体中 体",
    kana="いき くち のど かお",
)
CALL = concept("call", "呼ぶ 電話 呼べる 掛ける", pos="verb noun")
HELP_NOW = concept("help_now", "助ける 助け 誰か 早く", kana="たすけて たすけ")

# A complaint that is old news: said of every day, the weather, age.
CHRONIC = concept(
    "chronic",
    "いつも 毎日 毎朝 持病 慢性 年齢 年 雨 天気 季節 昔 最近 よく 時々 たまに 歳 加齢 相変わらず",
    reads="いつもの としのせい ねんれいてき まえから",
)
