"""New text apart from quoted and forwarded mail, as Gmail, Outlook, iPhone and Thunderbird
write replies in Japanese and English."""

from __future__ import annotations

import pytest

from services.helpdesk.domain.mail.parsing import parse_mail
from services.helpdesk.domain.mail.quoting import split_quoted
from tests.helpdesk.mail.samples import mail, multipart, text_part

NEW = "ありがとうございます。明日伺います。"


@pytest.mark.parametrize(
    "quoted",
    [
        # Gmail (Japanese)
        "2026年12月1日(火) 10:00 相談窓口 <soudan@helpdesk.example.jp>:\n\n> 前回のご案内です。\n> よろしくお願いします。",
        # Gmail (English), the attribution wrapped over two lines
        "On Tue, Dec 1, 2026 at 10:00 AM Soudan Madoguchi <\nsoudan@helpdesk.example.jp> wrote:\n\n> Earlier text",
        # iPhone (Japanese)
        "2026/12/01 10:00、相談窓口 <soudan@helpdesk.example.jp>のメール:\n\n> 前回のご案内です。",
        # Thunderbird (Japanese)
        "相談窓口 さんは書きました：\n> 前回のご案内です。",
        # Outlook (Japanese), with its rule line
        "________________________________\n差出人: 相談窓口 <soudan@helpdesk.example.jp>\n送信日時: 2026年12月1日 10:00\n宛先: 田中 花子\n件名: RE: タブレット\n\n前回のご案内です。",
        # Outlook (English)
        "From: Soudan <soudan@helpdesk.example.jp>\nSent: Tuesday, December 1, 2026 10:00 AM\nTo: Hanako\nSubject: RE: tablet\n\nEarlier",
        "-----Original Message-----\nFrom: soudan@helpdesk.example.jp\n前回のご案内です。",
        "-----元のメッセージ-----\n差出人: 相談窓口\n前回のご案内です。",
        # a bare quote block ending the mail
        "> 前回のご案内です。\n> よろしくお願いします。",
        # full-width quote marks
        "＞ 前回のご案内です。",
    ],
)
def test_reply_headers_and_quotes_are_folded_away(quoted):
    split = split_quoted(f"{NEW}\n\n{quoted}\n")
    assert split.text == NEW
    assert split.quoted == quoted.strip()
    assert not split.forwarded


@pytest.mark.parametrize(
    "marker",
    [
        "---------- Forwarded message ---------",
        "-------- 転送メッセージ --------",
        "転送されたメッセージ:",
        "Begin forwarded message:",
    ],
)
def test_forwarded_mail_is_kept_apart_and_flagged(marker):
    forwarded = f"{marker}\nFrom: 当選事務局 <win@prize.example.com>\n件名: 当選のお知らせ\n\nおめでとうございます"
    split = split_quoted(f"母に届いたメールです。詐欺でしょうか？\n\n{forwarded}")
    assert split.text == "母に届いたメールです。詐欺でしょうか？"
    assert split.quoted == forwarded
    assert split.forwarded


def test_answers_between_quoted_lines_stay():
    body = "> 電源は入りますか？\n入りません。\n> 充電器は届きましたか？\n届きました。\n\n相談窓口 さんは書きました：\n> 元のメール"
    split = split_quoted(body)
    assert (
        split.text == "> 電源は入りますか？\n入りません。\n> 充電器は届きましたか？\n届きました。"
    )
    assert split.quoted == "相談窓口 さんは書きました：\n> 元のメール"


def test_a_quote_above_the_answer_is_folded():
    split = split_quoted("> 明日は来られますか？\n\n行きます。")
    assert split.text == "行きます。"
    assert split.quoted == "> 明日は来られますか？"


def test_a_sentence_ending_in_wrote_without_a_quote_stays():
    body = "先日、息子が窓口に手紙を wrote:\n届きましたか？"
    assert split_quoted(body).text == body


def test_a_plain_mail_and_its_signature_stay_whole():
    body = "タブレットの使い方を教えてください。\n\n-- \n田中 花子\n090-0000-0000"
    split = split_quoted(body)
    assert split.text == body
    assert split.quoted == ""


def test_gmail_html_reply_folds_its_blockquote():
    html = (
        '<div dir="ltr">了解しました。</div><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">2026年12月1日(火) 10:00 相談窓口 '
        "&lt;soudan@helpdesk.example.jp&gt;:<br></div>"
        '<blockquote class="gmail_quote">前回のご案内です。</blockquote></div>'
    )
    body = multipart("alternative", [text_part(html, subtype="html")])
    parsed = parse_mail(mail(body))
    assert parsed.text == "了解しました。"
    assert parsed.quoted == (
        "2026年12月1日(火) 10:00 相談窓口 <soudan@helpdesk.example.jp>:\n\n> 前回のご案内です。"
    )
