"""The words of the programme's questions, by meaning (the language is `services.common.language`).

Lemmas as SudachiPy normalises them, so 借りたい, 借りられる and かりれる are one entry; kana
spellings only where hiragana text is split wrongly (たぶれっと).
"""

from __future__ import annotations

from services.common.language.concepts import concept, union

# -- the things asked about -----------------------------------------------------------------------
TABLET = concept(
    "tablet",
    "タブレット 端末 アイパッド iPad ipad 機械 機器 貸し出し機",
    kana="たぶれっと たぶれと あいぱっど",
)
PROGRAMME = concept(
    "programme",
    "スマートシニアライフ 事業 実証事業 楽なび らくなび 貸し出し 貸出 レンタル 無料貸し出し",
    kana="すまーとしにあらいふ",
)
SESSION = concept(
    "session",
    "説明会 講習会 講座 フォローアップ 勉強会 使い方教室 タブレット教室 研修",
    kana="せつめいかい こうしゅうかい こうざ ふぉろーあっぷ",
)
HELPDESK = concept(
    "helpdesk",
    "ヘルプデスク 窓口 相談窓口 事務局 問い合わせ 問合せ お問い合わせ コールセンター サポート "
    "サポートセンター 受付",
    kana="へるぷですく まどぐち じむきょく といあわせ さぽーと",
)
CONTACT = concept(
    "contact",
    "電話番号 番号 連絡 連絡先 メールアドレス アドレス メール 電話 フリーダイヤル",
    kana="でんわばんごう れんらくさき めーる でんわ",
)
# -- what is done or wanted -----------------------------------------------------------------------
BORROW = concept(
    "borrow",
    "借りる 貸す 借りれる 貸し出す 借用 もらう 貰う 使わせる レンタル",
    kana="かりる かりたい かりれる かして かしてもらえる",
    pos="verb noun",
)
APPLY = concept(
    "apply",
    "申し込む 申し込み 申込 申込み 応募 申請 エントリー 登録 参加 加入 入る 受ける 受けられる",
    kana="もうしこむ もうしこみ おうぼ しんせい さんか",
)
RETURN = concept(
    "return",
    "返す 返却 返還 戻す 返品 返せる 返納",
    kana="かえす かえし へんきゃく もどす",
)
ATTEND = concept("attend", "行く 出る 出席 参加 来る 聞く 受ける 予約", kana="いける でれる")
DAMAGED = concept(
    "damaged",
    "壊れる 壊す 割れる 割る 故障 ひび 水没 濡れる 落とす 落っことす 踏む 潰れる バキバキ 不具合",
    kana="こわれる こわれた こわした われた こしょう",
)
# Said negated: 動かない, 点かへん, 電源が入らない, 充電できひん.
WORKS = concept(
    "works", "動く 点く 付く 入る 映る 起動 反応 充電 使える 開く 立ち上がる", kana="つかへん"
)
POWER = concept("power", "電源 画面 スイッチ 充電", kana="でんげん がめん")
LOST = concept(
    "lost",
    "無くす 失くす 紛失 盗む 盗まれる 置き忘れる 忘れる 見当たる 見つかる 落とし物 なくなる 無くなる",
    kana="なくした なくしてしもた なくなった ぬすまれた ふんしつ",
)
# -- the question words ---------------------------------------------------------------------------
HOW = concept(
    "how",
    "どう どの様 どうやる 方法 やり方 仕方 手続き 手続 どこ 何処 どちら 誰 いつ 教える 知る 分かる "
    "わかる 聞く 流れ 必要 要る 書類",
    kana="どうやって どうしたら どうすれば おしえて",
)
QUALIFY = concept(
    "qualify",
    "対象 条件 資格 該当 対象者 対象外 対象地域 当てはまる 制限 年齢制限",
    kana="たいしょう じょうけん しかく",
)
AGE = concept("age", "年齢 歳 才 何歳 いくつ 高齢", kana="なんさい")
LIVE = concept("live", "住む 住所 地域 区 市 町 村 市内 府内 府外 以外 在住 地元", kana="すんでる")
COST = concept(
    "cost",
    "お金 金 費用 料金 無料 タダ ただ 有料 いくら 払う 支払う 負担 弁償 代金 値段 月額 掛かる",
    kana="おかね りょうきん むりょう いくら はらう",
)
WHEN = concept(
    "when",
    "いつ 何時 何日 日程 予定 日時 時間 曜日 場所 どこ 会場 次 今度 近く 近所 有る 在る やる",
    kana="いつ なんじ にってい よてい ばしょ",
)
HOURS = concept(
    "hours",
    "何時 時間 営業 営業時間 受付時間 開く 開いている 閉まる 土日 土曜 日曜 休み 休日 祝日 "
    "夜 朝 平日 いつ 繋がる",
    kana="なんじ えいぎょう じかん どにち やすみ",
)
END = concept(
    "end",
    "終わる 終わり 期限 期間 半年 六ヶ月 6ヶ月 ヶ月 満了 最後 途中 早め 早く 引っ越す 要る 使う",
    kana="おわったら おわり きげん はんとし",
)
PERIOD = concept(
    "period", "半年 六ヶ月 6ヶ月 六か月 6か月 貸し出し期間 貸出期間 期間", kana="はんとし"
)
# A date asked for: the senior's own loan (`intents`), not how returning works.
DUE_WHEN = concept(
    "due_when", "いつ 期限 何日 いつまで 締め切り 返却日 日にち 何月", kana="いつまで"
)
SPEAK_NOW = concept("speak_now", "話す 代わる 繋ぐ つなぐ", kana="はなしたい かわって")
# What makes a question about something else: other things, other classes, other desks.
OTHER_THING = concept(
    "other_thing",
    "図書館 本 傘 車 自転車 テレビ 携帯 携帯電話 スマホ スマートフォン パソコン 冷蔵庫 眼鏡 財布 鍵 "
    "電子レンジ 洗濯機 エアコン 補聴器 入れ歯 時計 カメラ",
)
OTHER_EVENT = concept(
    "other_event",
    "体操 町内会 自治会 マンション 保険 葬儀 年金 工事 学校 カルチャー 趣味 囲碁 将棋 料理 "
    "カラオケ 健康診断 検診 介護 ワクチン 接種 選挙 投票 住民 ボランティア 墓じまい 旅行 リフォーム "
    "住宅 ごみ 家電 老人会 敬老パス マイナンバー 福祉用具 車いす 車椅子 免許 通販",
)
OTHER_DESK = concept(
    "other_desk",
    "病院 医院 クリニック 銀行 郵便局 区役所 市役所 役所 スーパー 店 薬局 歯医者 美容院 図書館 "
    "デイサービス ケアマネ",
)
THIS_DESK = union("this_desk", HELPDESK, PROGRAMME)

# A message names at least one of these when it asks the programme anything; without one, no
# score makes it a programme question (「もう大丈夫や」 is not asking who may borrow).
ANCHORS = (
    TABLET,
    PROGRAMME,
    SESSION,
    HELPDESK,
    CONTACT,
    BORROW,
    APPLY,
    RETURN,
    DAMAGED,
    LOST,
    POWER,
    PERIOD,
    AGE,
    QUALIFY,
    LIVE,
    COST,
)
