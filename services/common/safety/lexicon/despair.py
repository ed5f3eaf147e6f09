"""A wish not to live, direct or passive."""

from __future__ import annotations

from services.common.language.concepts import concept

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
