"""The concepts the safety rules are made of: words by meaning, one entry per lemma.

Words are Sudachi lemmas (normalised forms), so 痺れる stands for しびれた, 痺れて, シビレる;
kana spellings (`kana=`) are only for what the analyser splits wrongly when typed in hiragana,
matched at word boundaries on the reading. A reviewer adds a word here, not a pattern.
"""

from __future__ import annotations

from services.ai_chat.domain.safety.concepts import concept, union

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

# -- what turns an emergency into a story ----------------------------------------------------------
STORY = concept(
    "story",
    "ドラマ 映画 テレビ 番組 ニュース 小説 漫画 記事 夢 舞台 芝居 劇 役 場面 主人公 新聞 "
    "ラジオ 本 お話 話題 朝ドラ 医療ドラマ 時代劇 再放送 俳優 女優",
)
PRACTICE = concept(
    "practice",
    "練習 訓練 講習 講座 教室 授業 研修 避難訓練 救命 勉強 教わる 習う 体験 模擬 実習 "
    "セミナー 防災 AED 勉強会 教える 学ぶ",
)
PAST = concept(
    "past",
    "去年 昔 以前 若い 何年 先月 昨年 一昨年 年前 前回 頃 ころ 当時 子供 時代 あの時 先週 "
    "何年も前 ヶ月前 か月前",
)
RECOVERED = concept(
    "recovered",
    "治る 治まる 収まる 落ち着く 良くなる 大丈夫 平気 無事 異常 問題 退院 元気 軽い "
    "ちょっと 少し 少々 たいした 大した 安定 長生き 最高 済む 助かる",
    reads="いじょうなし いじょうはない もんだいない しんぱいない ずにすみ ずにすん",
)
GENERAL = concept(
    "general",
    "症状 兆候 前兆 サイン 予防 対策 見分ける 見分け方 とは 意味 気を付ける 気をつける 注意 "
    "知識 どんな 場合 時 とき 対処法 対処 方法 工夫 ため 防ぐ 防止 習う やり方 もし",
    reads="ならないように ならんように ないように ないための ならないよう",
)
# Not what it seemed, or set off by something harmless.
FALSE_ALARM = concept(
    "false_alarm",
    "報知器 警報器 火災報知器 電池 誤報 点検 焦がす 焦げる 換気扇 トースト 魚 パン 止める 麻酔 "
    "歯医者 注射 玉ねぎ バーベキュー 線香 焚き火 焼肉 焼き芋 保険 火災保険 花火 七輪",
    reads="とおもったら かとおもったら",
)
IDIOM_BODY = concept(
    "idiom_body",
    "いっぱい 一杯 熱い 打つ 躍る 弾む 高鳴る 膨らむ 張り裂ける 問題 思い 気持ち 話 ニュース "
    "耳 心 立つ 抱える 感動 ほど 嬉しい 幸せ 思い出 切ない",
)
# Someone else's mishap, over and dealt with (the child who fell, the neighbour helped).
HELPED = concept(
    "helped",
    "手当 手当て 介抱 付き添う 連れて行く 見てあげる 絆創膏 消毒 助けてあげる 貼る 冷やす",
)

# -- a wish not to live -----------------------------------------------------------------------------
DIE_WISH = concept(
    "die_wish",
    "自殺 自死 心中 首吊り 身投げ 安楽死 遺書 suicide 練炭 リストカット 飛び降りる 首吊る "
    "want to die kill myself",
    reads="しにたい しにたく しにとう しにたいわ しなせて しなしてほしい しんでしまいたい "
    "しにたな しにたなる しぬしかない しぬしか しんでもええ しんでもいい しんでもかまわない "
    "しんでもかまへん しんでもええかな しんだららく しんだる しねますか しにかた "
    "らくになるほうほう くびをつろ くびをつる くびつり くびをくくる くびくくる "
    "しんでしまいたく しんだほうが しねたら しねたらいい しねば しんだらええ しねる しのう "
    "しにてえ じさつ",
)
DISAPPEAR_WISH = concept(
    "disappear_wish",
    "",
    reads="きえたい きえたく きえてしまいたい きえてしまいたく いなくなりたい いなくなりたく "
    "いなくなってもだれも おらんかってもだれも おらんくなっても いなくなっても "
    "わたしがいなければ わしがおらんかったら おらんようになったほうが "
    "いなくなったほうが きえたほうが きえてなくなりたい おらんほうが いないほうが "
    "らくになりたい らくになりたく おわりにしたい おわりにしたく おわらせたい おわらせたく",
)
LIVE = concept("live", "生きる 生きている 生き 命 人生 長生き ", reads="いきてる いきる いきて")
MEANING = concept(
    "meaning",
    "意味 甲斐 価値 目的 楽しみ 張り合い 希望 理由 仕方ない 仕方無い しょうがない 仕様がない "
    "しゃあない 疲れる つらい 辛い 嫌 いや もう 飽きる 未練 しんどい やめる 止める 自信 "
    "十分 充分",
    reads="しゃあない しょうがない",
)
WAKE = concept("wake", "覚める 起きる 目覚める 来る 明ける 迎える", pos="verb")
WAKE_UP = concept("wake_up", "覚める 起きる 目覚める 目覚め", reads="こなければ こんかったら")
MORNING = concept("morning", "朝 明日 あした 目 明朝 夜明け", reads="あさ あした", pos="noun")
WISH_ENDING = concept(
    "wish_ending",
    "いい 良い 欲しい ほしい 願う 祈る 思う ええ 楽 願い たい ように 様に",
    reads="いいのに ええのに ほしい いいな",
)
LATE = concept(
    "late",
    "亡くなる 逝く 先立つ 他界 あの世 天国 仏 お墓 御墓 亡き 旅立つ 亡夫 亡妻 故人 ",
    kana="なくなった さきだたれ",
)
JOIN = concept(
    "join",
    "行く 会う 逝く 迎え 呼ぶ 連れる 傍 そば 側 隣 一緒",
    reads="いきたい あいたい",
    main_only=True,
)
SPOUSE = concept(
    "spouse",
    "主人 夫 妻 家内 旦那 女房 お父さん お母さん 御父さん 御母さん 母ちゃん 父ちゃん かあちゃん "
    "とうちゃん あの人 あっち 向こう あちら",
    kana="しゅじん おっと つま おとうさん おかあさん",
)
PLACE_OF = concept("place_of", "所 ところ とこ 元 もと 傍 そば 側 隣", kana="ところ とこ そば")
GO_WISH = concept(
    "go_wish",
    "",
    reads="いきたい いきたいです いきたいねん いきたいわ いきたいな いってもええ いっても "
    "いこうかな いきとうて ゆきたい",
)
LONELY = concept("lonely", "一人 独り ひとり 寂しい 淋しい 疲れる 嫌 もう 早く はよ", kana="ひとり")
OMUKAE = concept("omukae", "お迎え 御迎え", kana="おむかえ")
COME_PLEASE = concept(
    "come_please",
    "",
    reads="きてほしい きてくれ きてくれへん こないかな きてもらいたい はよきて はやくきて "
    "はよう きたらええ きたらいい きてほしいわ",
)
CHEERFUL = concept("cheerful", "元気 長生き 笑う 冗談 ように 慌てる 備える 準備 まだまだ 楽しみ")
STOCKPILE = concept(
    "stockpile", "溜める 貯める ため込む 溜め込む 集める ためる", reads="ためてる ためて"
)
INTEND = concept("intend", "つもり 決める 予定 行こう", reads="つもり のもう")
STRONG_METHOD = concept(
    "strong_method",
    "飛び降りる 練炭 リストカット 首吊り 遺書",
    reads="とびおり くびをつ くびをくく",
)
TRACKS = concept("tracks", "線路 ホーム 踏切 電車 屋上 ベランダ 橋 ビル 階", pos="noun")
JUMP = concept("jump", "飛び込む 飛び降りる 落ちる 足 出る", reads="とびこ とびおり")
GIVE_AWAY = concept("give_away", "あげる 上げる 配る 譲る 処分 捨てる 送る 預ける 片付ける 整理")
NO_LONGER_NEEDED = concept(
    "no_longer_needed",
    "",
    reads="もうひつようない もうひつようありません もういらない もうよう もうようない "
    "もういらん もうつかわない もうみせることはない もうあうこともない もうあわない こころのこり "
    "もうすぐわたしはいなくなる",
)
THANKS_SO_FAR = concept("thanks_so_far", "", reads="いままで ほんまにおおきに ありがとう ありがと")
FINAL = concept(
    "final",
    "さようなら さよなら さいなら お別れ 最後",
    reads="もうあえない もうはなすことも これでおわかれ さいご",
)
BODY_TO_HURT = concept(
    "body_to_hurt", "腕 手首 体 頭 肌 太もも 足 自分 うで てくび", kana="うで てくび"
)
SELF_INJURY = concept(
    "self_injury",
    "切る 刺す 傷付ける 傷つける 打ち付ける 打ちつける 叩く 抓る つねる 引っ掻く 傷 殴る",
)
INVOLUNTARY = concept("involuntary", "しまう", reads="しまう しまいます しまった てまう てもう")
DEATH_THOUGHT = concept(
    "death_thought",
    "",
    reads="しぬことばかり しぬことばっかり しにかたばっかり しにかたばかり しぬことばかりかんがえ",
)
WANT = concept("want", "たい 欲しい ほしい", reads="たい たく ほしい")
BURDEN = concept("burden", "迷惑 足手まとい 足手纏い 負担 厄介 お荷物 重荷 邪魔", kana="めいわく")
BETTER_GONE = concept(
    "better_gone",
    "",
    reads="いないほうが おらんほうが しんだほうが きえたほうが いなくなったほうが "
    "いないほうがいい いなくなればいい いなくなったら",
)
METHOD = concept(
    "method",
    "首 吊る 飛び降りる 飛び込む 線路 練炭 手首 切る 睡眠薬 ため込む 溜める 貯める ロープ "
    "屋上 ビル 橋 川 海 ホーム 電車 首吊り リストカット 包丁 刃物 毒 灯油",
    kana="とびおり とびこみ",
)
SELF = concept("self", "自分 私 わし 俺 僕 あたし うち 己", pos="noun")
HURT = concept("hurt", "傷付ける 傷つける 切る 痛め付ける 殴る 叩く", pos="verb")
GOODBYE = concept(
    "goodbye",
    "さようなら さよなら 最後 お別れ 今まで 世話 ありがとう 形見 遺書 身辺整理 譲る 片付ける "
    "もう会えない",
    kana="さようなら さよなら",
)
DEATH_WORD = concept("death", "死ぬ 死", kana="しぬ しんで しんだ", pos="verb noun")
HYPERBOLE = concept(
    "hyperbole",
    "笑う 面白い 可笑しい 暑い 寒い 恥ずかしい 忙しい 眠い 美味しい うまい 感動 嬉しい 楽しい "
    "冗談 歌 ドラマ 映画 ゲーム 腹減る 空く 痛快 笑 w (笑)",
)
CALM_END = concept(
    "calm_end",
    "終活 遺言 お墓 墓 葬式 葬儀 延命 延命治療 エンディングノート 相続 納骨 法事 供養 献体 "
    "ぽっくり 老衰 寿命 長生き 健康",
)

# -- a scam reaching the senior ---------------------------------------------------------------------
CLAIMANT = concept(
    "claimant",
    "警察 刑事 警察官 警視庁 府警 銀行 銀行員 市役所 区役所 役所 役場 税務署 年金事務所 "
    "社会保険事務所 保健所 厚生労働省 消費者センター 弁護士 裁判所 法務省 NHK 電話会社 携帯会社 "
    "ドコモ au ソフトバンク 郵便局 日本郵便 佐川 ヤマト 宅配業者 アマゾン amazon 楽天 メルカリ "
    "カード会社 クレジット会社 百貨店 デパート 上司 同僚 部下 マイクロソフト 金融庁 "
    "証券会社 公社 総務省 役所の人 業者 知らない 名乗る "
    "水道局 ガス会社 電力会社 消防署 警察庁 国税庁 後輩 先輩 占い師 霊能者 知らん 宝くじ売り場 "
    "弁護士事務所 病院 保険会社 年金機構 カード会社 大阪市 大阪府 府庁 市役所",
    kana="けいさつ ぎんこう やくしょ しやくしょ くやくしょ ぜいむしょ じょうし べんごし",
)
INBOUND = concept(
    "inbound",
    main_only=True,
    words="から 掛かる かかる 来る 届く 言う 頼む 求める 名乗る 称する 訪ねる 訪問 有る ある 鳴る "
    "電話 メール 連絡 着信 手紙 はがき 葉書 封筒 通知 ショートメール SMS メッセージ 封書 らしい "
    "そう 言われる 勧誘 誘う 勧める",
    reads="っていわれ といわれ といって っていって やて いうねん いわれた いわれて っていう "
    "らしい そうです",
)
CONTACT = concept(
    "contact",
    "電話 着信 SMS ショートメール ショートメッセージ メール メッセージ LINE ライン 手紙 はがき "
    "葉書 封筒 書類 通知 訪問 留守電 留守番電話 DM 知らせ お知らせ",
    kana="でんわ めーる しょーとめーる",
)
MONEY = concept(
    "money",
    "お金 御金 金 現金 振り込み 振込 振り込む 送金 入金 支払い 支払う 払う 立て替え 立替 示談金 "
    "保証金 手数料 費用 代金 料金 貸す 借りる 用意 万円 円 百万 大金 預金 貯金 へそくり "
    "お金を用意 返済 弁償 賠償 保釈金 供託金 和解金 万 祈祷料 慰謝料 手術代 治療費 入院費 "
    "飛行機代 航空券 通関 家賃 ポイント 換金 送料 会費 保証料 頭金 解約料 違約金 罰金 利用料",
    kana="おかね げんきん ふりこみ ふりこんで",
)
CREDENTIAL = concept(
    "credential",
    "キャッシュカード 通帳 暗証番号 暗証 口座 口座番号 パスワード 認証コード 確認コード ワンタイム "
    "印鑑 マイナンバー カード番号 個人情報 クレジットカード "
    " ",
    kana="きゃっしゅかーど つうちょう あんしょう あんしょうばんごう",
)
PREPAID = concept(
    "prepaid",
    "ギフトカード 電子マネー プリペイドカード アマゾンカード iTunes アイチューンズ "
    "グーグルプレイ Googleplay ウェブマネー コンビニ ギフト券",
    kana="ぎふとかーど でんしまねー",
)
ATM = concept("atm", "ATM 現金自動預け払い機", kana="えーてぃーえむ")
REFUND = concept(
    "refund",
    "還付 還付金 返金 払い戻し 払戻 戻る 過払い 医療費 保険料 給付金 還元 返還 戻す",
    kana="かんぷ かんぷきん へんきん",
)
HAND_OVER = concept(
    "hand_over",
    "教える 渡す 預ける 取り 取る 取りに 送る 聞く 入力 押す 郵送 宅配 封筒 受け取る 交換 "
    "預かる 回収 確認 見せる 手続き 操作 書く 入れる 入力 持って行く 持ち帰る 読み上げる 言う",
)
COLLECT = concept(
    "collect",
    "受け取り 受け取る 取り 預かる 回収 持って帰る 持ち帰る 引き取る 交換",
    reads="とりにくる とりにきて うけとりにくる うけとりにいく とりにいかせ あずかりにくる",
)
VALUABLES = concept(
    "valuables",
    "キャッシュカード カード 通帳 現金 お金 封筒 印鑑 はんこ 紙袋 貴金属 金",
    kana="かーど おかね げんきん つうちょう",
)
URGENT = concept(
    "urgent",
    "今日中 すぐ 直ぐ 至急 急ぎ 本日 今すぐ 期限 以内 法的措置 裁判 訴訟 差し押さえ 差押え "
    "逮捕 早く 今日 明日 大変",
)
SECRET = concept("secret", "内緒 秘密 誰にも 口外", kana="ないしょ ひみつ")
LINK = concept(
    "link",
    "リンク URL アドレス クリック タップ 開く アプリ ダウンロード インストール http 下記 こちら "
    "サイト QRコード QR 押す 入れる ページ ボタン",
    kana="りんく",
)
ACCOUNT_TROUBLE = concept(
    "account_trouble",
    "停止 ロック 凍結 利用停止 不正 不正利用 不正アクセス 更新 再登録 期限切れ 無効 異常 "
    "セキュリティ 乗っ取り 確認 支払い 未払い 失敗 解除 制限 不審 有効期限 流出 本人確認 "
    "再設定 認証",
)
DELIVERY = concept(
    "delivery",
    "不在 持ち帰り 配達 荷物 宅配便 宅急便 再配達 配送 お届け 宛先 住所不明",
    kana="ふざい",
)
INVESTMENT = concept(
    "investment",
    "投資 株 未公開株 仮想通貨 暗号資産 ビットコイン FX 社債 金 配当 利回り 外貨 ファンド "
    "老人ホーム 権利 鉱山 事業 儲け話 副業 入居権 名義 競馬 情報 投資アプリ",
    kana="とうし かぶ",
)
SURE_PROFIT = concept(
    "sure_profit",
    "必ず 絶対 確実 元本保証 保証 倍 高配当 儲かる 損 値上がり 儲け 増える 利益 配当 もうかる "
    "出せる 引き出す 有利 お礼 謝礼",
    kana="もうかる もうけ",
)
ONLINE = concept(
    "online",
    "SNS フェイスブック インスタ インスタグラム LINE ライン マッチング ネット インターネット "
    "メル友 外国 アプリ 出会い 知り合う チャット ゲーム 出会い系 サイト 仲良く 文通",
)
ROMANCE = concept(
    "romance",
    "恋人 彼 彼女 結婚 好き 愛してる 愛 会いたい 軍人 医師 外国人 戦地 国連 石油 エンジニア "
    "プレゼント 荷物 関税 渡航費 航空券 愛しい 恋 男性 女性 通関 飛行機",
)
CELEBRITY = concept(
    "celebrity", "芸能人 有名人 俳優 女優 タレント 歌手 アイドル 著名人 スター 本人"
)
VIRUS = concept(
    "virus",
    "ウイルス ウィルス 感染 警告 ハッキング ハッカー 遠隔 遠隔操作 警告音 ピーピー  乗っ取る",
    kana="ういるす",
)
HOME_WORK = concept(
    "home_work",
    "屋根 瓦 点検 工事 リフォーム 白蟻 シロアリ 床下 給湯器 耐震 外壁 雨漏り 排水管 水道管 "
    "修理 補強 塗装 布団 浄水器 消火器 換気扇 屋根瓦 給湯器 水質検査 健康器具 羽毛布団 太陽光",
    kana="しろあり",
)
CONTRACT = concept(
    "contract",
    "契約 判子 はんこ ハンコ サイン 署名 今日だけ 今なら 安い 割引 無料 タダ 工事代 見積もり "
    "前金 手付金 申込 申し込み 半額 契約書 今日中 今日",
)
BUY_UP = concept(
    "buy_up",
    "買い取る 買取 買い取り 貴金属 着物 宝石 不用品 指輪 古着 金 切手 骨董 アクセサリー ",
    kana="かいとり",
)
AT_DOOR = concept(
    "at_door",
    "家 玄関 訪問 訪ねる 来る 来た 押しかける 上がり込む 居座る インターホン",
    pos="noun verb",
)
TROUBLE = concept(
    "trouble",
    "失くす 無くす 落とす 鞄 かばん 財布 小切手 使い込み 横領 事故 示談 妊娠 痴漢 トラブル 逮捕 "
    "損失 穴 会社のお金 借金 保証人 捕まる 警察沙汰 株 入院 手術 慰謝料 追われる 失敗 クビ 首 "
    "使い込む 病気",
)
VOICE_CHANGE = concept("voice_change", "声 番号 携帯 風邪 喉", pos="noun")
CHANGED = concept("changed", "変わる 違う 変える 新しい", pos="verb adjective")
PRIZE = concept(
    "prize",
    "当選 当たる 賞金 懸賞 抽選 宝くじ ロト 賞品 プレゼント 受け取る 権利",
    kana="とうせん",
)
LEGAL = concept(
    "legal",
    "裁判 訴訟 法的措置 差し押さえ 差押え 督促 最終通告 通告 民事 被告 債権",
    kana="さいばん",
)
UNPAID = concept(
    "unpaid", "未納 滞納 延滞 未払い 未払 利用料 有料サイト 料金 請求 請求書 督促", kana="みのう"
)
SCAM = concept("scam", "詐欺 騙す だます 怪しい 胡散臭い 偽物 偽 怪しげ サギ", kana="さぎ あやしい")
NAMED_SCAM = concept(
    "named_scam", "オレオレ 特殊詐欺 架空請求 還付金詐欺 振り込め詐欺 フィッシング", kana="おれおれ"
)
FORTUNE = concept(
    "fortune", "占い師 祈祷 霊 お祓い 霊能者 除霊 祈祷料 先生 運勢", kana="ごきとう うらない"
)
CONVENIENCE = concept(
    "convenience", "コンビニ ギフト ギフトカード プリペイド 電子マネー", kana="こんびに"
)
CODE = concept("code", "番号 コード 裏 写真", pos="noun")
SEND_TELL = concept(
    "send_tell", "送る 教える 伝える 読み上げる 写す 撮る", reads="おくって おしえて"
)
QUESTION = concept(
    "question",
    "か かな かしら 大丈夫 本当 本物 どう 信じる 怪しい だろう やろ ええ 良い 疑う",
    kana="かな かしら",
)
FRAUD_NEWS = concept(
    "fraud_news",
    "ニュース テレビ 新聞 講習 講座 教室 注意 気を付ける 気をつける 対策 防止 防犯 話 聞く "
    "昔 以前 去年 広報 チラシ 回覧板 守る 防ぐ 手口",
)
OWN_ACTION = concept(
    "own_action",
    "自分 窓口 店 払う 支払う 引き出す 行く 振り込み方 使い方 やり方 方法 どこ 場所",
)

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
