"""A scam reaching the senior: who claims what, and what they want."""

from __future__ import annotations

from services.common.language.concepts import concept

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
