"""What turns an emergency into a story, a lesson, the past or a figure of speech."""

from __future__ import annotations

from services.common.language.concepts import concept

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
