"""The people near a senior, the body, and what the body does: the words of an emergency."""

from __future__ import annotations

from services.common.language.concepts import concept, union

# -- people ---------------------------------------------------------------------------------------
RELATIVE = concept(
    "relative",
    "息子 娘 孫 甥 姪 倅 せがれ 婿 嫁 親戚 兄 姉 弟 妹 孫娘 長男 次男 長女 次女",
    kana="むすこ むすめ まご",
)
HOUSEHOLD = concept(
    "household",
    "夫 妻 主人 家内 旦那 女房 嫁 母 父 お母さん 御母さん お父さん 御父さん 祖母 祖父 "
    "おばあちゃん 御婆ちゃん おじいちゃん 御爺ちゃん 婆ちゃん 爺ちゃん 奥さん 家族 連れ合い "
    "相方 友達 友人 隣 隣人 近所 義母 義父 姑 舅 おじいさん おばあさん 御爺さん 御婆さん 老人 人 "
    "男性 女性 男の人 女の人 誰か 子供 子ども 孫 おかん おとん 嫁はん うちの人 母親 父親",
    kana="しゅじん おっと つま かない だんな おかあさん おとうさん おばあちゃん おじいちゃん",
)
NEAR_PERSON = union("near_person", RELATIVE, HOUSEHOLD)

# -- the body -------------------------------------------------------------------------------------
CHEST = concept("chest", "胸 心臓 胸元 みぞおち 鳩尾 胸部", kana="むね しんぞう", pos="noun")
HEAD = concept("head", "頭 後頭部 頭部", kana="あたま", pos="noun")
ABDOMEN = concept(
    "abdomen", "腹 お腹 御腹 胃 腹部 下腹 脇腹 みぞおち 鳩尾", kana="おなか", pos="noun"
)
BACK = concept("back", "背中 腰 背", pos="noun")
FACE = concept("face", "顔 口 口元 頬 まぶた 瞼 表情 口角 唇", kana="かお くち", pos="noun")
LIMB = concept(
    "limb",
    "手 足 腕 脚 指 手足 片手 片足 右手 左手 右足 左足 右腕 左腕 半身 右半身 左半身 体 身体",
    pos="noun",
)
RADIATING = concept("radiating_to", "腕 左腕 肩 左肩 顎 あご 背中 首 奥歯", pos="noun")
THROAT = concept("throat", "喉 のど 気管 食道", kana="のど", pos="noun")
BREATH = concept("breath", "息 呼吸 酸素", kana="いき こきゅう", pos="noun")
EYE = concept("eye", "目 視界 視野 物", pos="noun")
SKIN = concept("skin", "皮膚 肌 皮 全身 体中", pos="noun")

# -- what the body does ---------------------------------------------------------------------------
PAIN = concept(
    "pain",
    "痛い 痛む 痛み 激痛 ずきずき ズキズキ 苦しい 苦しむ 重苦しい 締め付ける 締め付け "
    "圧迫 圧迫感 押さえ付ける 押し潰す 潰れる 焼ける 差し込む きりきり",
    kana="いたい いたくて いたかった いたむ いたみ くるしい くるしくて しめつけ",
)
HEAVY = concept("heavy", "重い 重たい ずしん どーん ドーン 鉛", kana="おもい")
# How a chest feels when the heart is in trouble (only said of the chest).
CHEST_FEELING = union(
    "chest_feeling",
    PAIN,
    HEAVY,
    concept(
        "chest_only",
        "しんどい おかしい 変 違和感 圧迫 締まる 詰まる 押さえる 抑える えらい 痛む 焼ける "
        "ぎゅっと 苦しさ 息苦しい 押しつぶす",
        kana="しんどい えらい",
    ),
)
PALPITATION = concept(
    "palpitation", "動悸 脈 不整脈 心臓 鼓動 バクバク ドコドコ ドキドキ", kana="どうき"
)
RACING = concept(
    "racing",
    "速い 早い 激しい 止まる 乱れる 飛ぶ 打つ すごい 凄い おかしい",
    kana="とまらへん とまらない",
)
PALE = concept("pale", "真っ青 真っ白 青白い 土気色 青い 白い 紫", kana="まっさお まっしろ")
COLD_SWEAT = concept("cold_sweat", "冷や汗 脂汗 冷汗", kana="ひやあせ あぶらあせ")
SWEAT = concept("sweat", "汗", pos="noun")
NUMB = concept("numb", "痺れる 痺れ 麻痺 感覚", kana="しびれ しびれる しびれて まひ")
NAUSEA = concept("nausea", "吐き気 吐く 嘔吐 戻す むかむか ムカムカ 気持ち悪い", kana="はきけ")
SUDDEN = concept(
    "sudden",
    "急 急に 突然 いきなり 突如 さっき 先程 今 今朝 急激 ずっと",
    kana="きゅうに とつぜん いきなり",
)
SEVERE = concept(
    "severe",
    "激しい 激痛 酷い ひどい 我慢 耐える 割れる 今まで 初めて 経験 強烈 猛烈 尋常 ものすごい "
    "物凄い すごい 凄い めちゃくちゃ 目茶苦茶 半端 のたうち回る 転げ回る 動く 冷や汗 脂汗 裂ける "
    "千切れる ちぎれる 板 耐える ガーン ガンガン 割れる 死ぬ 激烈 うずくまる 蹲る 動ける",
    reads="ひどい ものすごく すごく めっちゃ たまらん たまらない たまらへん がまんできない "
    "たえられない がんがん",
)
ONE_SIDE = concept(
    "one_side",
    "片方 片側 半分 左 右 片 半身 左側 右側 片一方 左半分 右半分 片手 片足 右手 左手 右足 左足 "
    "右腕 左腕 片腕 右半身 左半身 片目",
    kana="かたほう",
)
DISTORT = concept(
    "distort",
    "歪む ゆがむ 曲がる 垂れる 引きつる 麻痺 痺れる 下がる 垂れ下がる 崩れる",
    kana="ゆがんで まがって たれて さがって",
)
DROOP = concept(
    "droop",
    "下がる 垂れる 歪む 曲がる 引きつる 麻痺 痺れる 動く 力 垂れ下がる ゆがむ おかしい 変 "
    "閉じる 閉まる",
    kana="さがって ゆがんで まがって たれて",
)
SPEECH = concept(
    "speech", "呂律 言葉 喋る しゃべる 話す 口調 発音 舌 声 しゃべり 話し方 喋り方", kana="ろれつ"
)
GARBLED = concept("garbled", "もつれる 変 おかしい 怪しい 変な", kana="もつれ")
# Said of speech only when negated: 呂律が回らない, 言葉が出ない, 話が噛み合わない.
SPEECH_ABILITY = concept(
    "speech_ability",
    "回る 出る 分かる 聞き取る 言える 喋る 話せる 喋れる 噛み合う かみ合う 通じる はっきり 出てくる",
    kana="まわらない まわらへん もつれ",
)
STRENGTH = concept("strength", "力", pos="noun")
ENTER = concept("enter", "入る 入れる", pos="verb")
HOLD = concept(
    "hold", "持つ 握る 掴む 上がる 上げる 動く 動かす 持てる 握れる 留める 書ける 書く", pos="verb"
)
MOVE = concept(
    "move",
    "動く 動かす 動ける 上がる 上げる 入る 利く 効く 聞く 言うこと",
    kana="うごかへん うごかん",
)
SEE = concept("see", "見える 見る 見られる", pos="verb")
DROP_OBJECT = concept("drop", "落とす 零す こぼす 取り落とす", pos="verb")
CHOPSTICKS = concept("utensil", "箸 茶碗 コップ 湯呑み 湯呑 スプーン 鉛筆 ペン", kana="はし")
BLURRED = concept(
    "blurred", "二重 ぼやける 霞む 暗い 見える 見えにくい 真っ暗 欠ける", kana="ぼやけ かすんで"
)

BREATH_TROUBLE = concept(
    "breath_trouble",
    "出来る 吸う 苦しい 止まる 詰まる 荒い 浅い 吐く ぜいぜい ぜーぜー ひゅーひゅー はあはあ "
    "ハアハア ゼーゼー ヒューヒュー 途切れる 吸える 出来る 仕方 変 おかしい",
    reads="できない できへん でけへん くるしい くるし くるしっ とまって",
)
BREATHLESS = concept(
    "breathless",
    "息苦しい 息切れ 呼吸困難 過呼吸 喘息 窒息",
    kana="いきぐるしい いきぎれ ぜんそく ちっそく",
)
FOOD = concept(
    "food",
    "餅 もち 御餅 お餅 食べ物 肉 団子 こんにゃく 蒟蒻 ご飯 御飯 飴 パン 魚の骨 骨 芋 "
    "おにぎり 寿司 ゼリー 薬",
    kana="おもち",
)
STUCK = concept(
    "stuck",
    "詰まる 詰まらせる 引っ掛かる 引っかかる 飲み込む 詰める 咳き込む むせる 噎せる",
    kana="つまって つまった つまらせ つまらせた",
)
CONSCIOUS = concept("conscious", "意識 気", pos="noun")
RESPONSE = concept(
    "response",
    "返事 反応 応答 起きる 答える 息 返答 呼吸 脈 目覚める 意識 ",
    pos="noun verb",
)
CALLING = concept(
    "calling",
    "呼ぶ 呼び掛ける 呼びかける 揺する 揺さぶる 叩く 声 話し掛ける 話しかける 呼び掛け 名前",
)
COLLAPSE = concept(
    "collapse",
    "倒れる 崩れる 気絶 失神 卒倒 ぐったり 崩れ落ちる 意識不明 うずくまる 蹲る 座り込む "
    "倒れ込む 伸びる へたり込む",
    kana="たおれ たおれて たおれた",
)
SEIZURE = concept(
    "seizure", "痙攣 ひきつけ 引き付け 引き攣る ひきつる 泡", kana="けいれん ひきつけ"
)
BLOOD = concept("blood", "血 出血 流血 血だらけ 血まみれ 吐血 下血 鼻血", kana="ちが", pos="noun")
BLOOD_SEVERE = concept(
    "blood_severe", "血だらけ 血まみれ 大出血 吐血 下血 喀血", kana="ちだらけ ちまみれ"
)
BLEEDING_BAD = concept(
    "bleeding_bad",
    "止まる 止める 沢山 たくさん いっぱい 一杯 大量 噴き出す 溢れる どくどく ドクドク 真っ赤 "
    "ぼたぼた 吹き出す 流れる 出る 多い 吐く 垂れる 滴る 混じる",
)
BURN = concept("burn", "火傷 やけど 熱湯 熱傷")
BLISTER = concept("blister", "水膨れ 水ぶくれ 水疱", kana="みずぶくれ")
HOT = concept(
    "hot",
    "お湯 御湯 湯 熱湯 油 天ぷら油 やかん 鍋 熱い 沸騰 スープ 味噌汁 お茶 ストーブ アイロン 風呂 "
    "火 炎 蒸気 コンロ",
    kana="おゆ",
)
SPILL = concept(
    "spill", "零す こぼす かかる 掛かる かぶる 被る 浴びる 触る はねる 跳ねる 引っくり返す"
)
BURN_BAD = concept(
    "burn_bad",
    "酷い ひどい 水膨れ 水ぶくれ 広い 剥ける むける めくれる 真っ赤 大きい 痛い 全体 広範囲 "
    "皮 ただれる 白い 黒い 沸騰 かぶる 被る 浴びる",
)
FALL = concept(
    "fall",
    "転ぶ こける 転倒 倒れる 落ちる 転落 滑る 踏み外す 尻もち 尻餅 転げ落ちる 転がる 崩れる",
    kana="ころんで ころんだ こけて こけた すべって たおれ",
)
GET_UP = concept(
    "get_up",
    "立つ 起きる 起き上がる 動く 歩く 立ち上がる 上がる 這う 座る 踏ん張る 動かす 曲げる 立てる "
    "歩ける 動ける 起きれる 起き上がれる 立ち上がれる 座れる 出る 出られる 掛ける 体重",
    reads="たてない たたれへん たてへん おきられへん おきあがれへん うごかれへん うごけへん "
    "あるかれへん あるけへん おきれへん おきれない でられへん",
)
HIT = concept("hit", "打つ ぶつける 強打 打ち付ける", reads="うって うった ぶつけ")
VEHICLE = concept(
    "vehicle", "車 自転車 バイク 自動車 トラック 電車 タクシー 原付 単車", kana="くるま"
)
HIT_BY = concept(
    "hit_by", "撥ねる はねる 轢く 接触 ぶつかる 衝突 跳ねる 引く 事故", kana="はねられ ひかれ"
)
BATH = concept("bath", "風呂 お風呂 御風呂 湯船 浴槽 風呂場 浴室", kana="おふろ ふろ")
HEAT = concept(
    "heat",
    "暑い 熱い 暑さ 炎天下 クーラー 冷房 エアコン 草むしり 畑 日差し 直射日光 蒸し暑い 汗 熱中症",
    kana="あつい あつくて あつうて",
)
SWELL = concept("swell", "腫れる 腫れ 変形 曲がる 折れる 骨折 ひび", kana="はれて")
HEATSTROKE = concept("heatstroke", "熱中症 日射病", kana="ねっちゅうしょう")
DIZZY = concept(
    "dizzy",
    "目眩 眩暈 めまい ふらふら ふらつく くらくら ぐるぐる 朦朧 ぼーっと ぼうっと ぐったり つる "
    "ふらっと くらっと",
    kana="めまい ふらふら くらくら ぼーっと",
)
FEVER = concept("fever", "熱 高熱 発熱 四十度 39度 40度 三十九度", pos="noun")
CONFUSED = concept(
    "confused",
    "うわごと 訳 ぼーっと ぼうっと 朦朧 呼び掛け 呼びかけ 名前 分かる 返事 おかしい 変",
)
MEDICINE = concept(
    "medicine",
    "薬 睡眠薬 錠剤 薬剤 お薬 御薬 風邪薬 痛み止め 降圧剤 インスリン 精神安定剤",
    kana="くすり",
)
TOO_MUCH = concept(
    "too_much",
    "飲み過ぎる 飲みすぎる 沢山 たくさん 全部 二回 二度 倍 間違える 大量 一度 纏める まとめる "
    "誤る 間違い 二重 うっかり 一箱 一瓶 ありったけ 何錠 十錠 二十錠",
    kana="のみすぎ のみすぎた にかい まちがえて",
)
POISON = concept(
    "poison",
    "誤飲 洗剤 漂白剤 ボタン電池 乾燥剤 殺虫剤 農薬 毒 飲み込む 塩素",
    kana="ごいん",
)
ALLERGY = concept(
    "allergy",
    "蕁麻疹 じんましん アナフィラキシー 腫れる 腫れ アレルギー 痒い 発疹 蜂 刺す 刺される",
    kana="じんましん",
)
SEVERE_BODY = concept(
    "severe_body",
    "息 呼吸 喉 唇 顔 全身 まぶた 瞼 舌 意識 目眩 めまい 苦しい",
    pos="noun adjective",
)
