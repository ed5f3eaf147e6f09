"""Reading mail as Japanese senders' mailers write it: each charset, wrong labels, encoded
headers, HTML, attachments within limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.helpdesk.domain.mail.charsets import decode_bytes, decode_iso2022jp_ms
from services.helpdesk.domain.mail.model import MailLimits, RefusalReason
from services.helpdesk.domain.mail.parsing import TRUNCATED_MARK, parse_mail
from tests.helpdesk.mail.samples import (
    SENDER,
    SENDER_ADDRESS,
    binary_part,
    encoded_word,
    mail,
    multipart,
    text_part,
    to_cp50220,
)

TEXT = "お世話になっております。母のタブレットの電源が入りません。\n①充電しても②ボタンを押しても駄目です。ｶﾀｶﾅ\n髙橋"
# What each charset can carry of TEXT (plain ISO-2022-JP has no 丸数字, half-width kana or 髙).
JIS_TEXT = "お世話になっております。母のタブレットの電源が入りません。\n充電してもボタンを押しても駄目です。\n高橋"


@pytest.mark.parametrize(
    ("label", "codec", "cte", "text"),
    [
        ("ISO-2022-JP", "iso2022_jp", "7bit", JIS_TEXT),
        ("ISO-2022-JP", "cp50220", "7bit", TEXT),  # Outlook: 丸数字, 半角カナ, 髙
        ("iso-2022-jp", "cp50220", "base64", TEXT),
        ("Shift_JIS", "cp932", "base64", TEXT),  # Windows' Shift_JIS is CP932
        ("Shift_JIS", "cp932", "8bit", TEXT),
        ("Windows-31J", "cp932", "quoted-printable", TEXT),
        ("EUC-JP", "euc_jp", "8bit", JIS_TEXT),
        ("EUC-JP", "euc_jis_2004", "base64", TEXT.replace("髙", "高")),  # ① in row 13
        ("UTF-8", "utf-8", "base64", TEXT),
        ("utf-8", "utf-8", "quoted-printable", TEXT),
        ("utf-8", "utf-8", "8bit", TEXT),
    ],
)
def test_each_charset_and_transfer_encoding_reads_back(label, codec, cte, text):
    raw = mail(text_part(text, label=label, codec=codec, cte=cte))
    parsed = parse_mail(raw)
    assert parsed.text == text
    assert parsed.defects == ()
    assert not parsed.from_html


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("ISO-2022-JP", "cp932"),  # Shift_JIS bytes labelled ISO-2022-JP
        ("Shift_JIS", "utf-8"),
        ("utf-8", "cp932"),
        ("us-ascii", "cp932"),
        ("iso-8859-1", "utf-8"),
        ("x-unknown-charset", "euc_jis_2004"),
        (None, "cp932"),
    ],
)
def test_a_wrongly_declared_charset_is_repaired_and_noted(label, codec):
    text = TEXT.replace("髙", "高") if codec.startswith("euc") else TEXT
    raw = mail(text_part(text, label=label, codec=codec, cte="base64"))
    parsed = parse_mail(raw)
    assert parsed.text == text
    assert any(defect.startswith("body charset") for defect in parsed.defects)


def test_undecodable_bytes_become_replacement_characters_not_an_error():
    raw = mail(text_part("", label="utf-8", cte="base64"))
    garbage = bytes(range(0x80, 0x100)) * 3
    decoded = decode_bytes(garbage, "iso-2022-jp")
    assert decoded.repaired
    assert isinstance(decoded.text, str)
    assert parse_mail(raw).text == ""


def test_the_microsoft_iso2022jp_decoder_reads_plain_iso2022jp_and_cp50220():
    assert decode_iso2022jp_ms("こんにちは".encode("iso2022_jp")) == "こんにちは"
    assert decode_iso2022jp_ms(to_cp50220("①㈱ｱｲｳ髙")) == "①㈱ｱｲｳ髙"
    # CP50222's SO/SI half-width katakana.
    assert decode_iso2022jp_ms(b"\x0e\x31\x32\x0f!") == "ｱｲ!"
    with pytest.raises(UnicodeDecodeError):
        decode_iso2022jp_ms(b"\x1b$B\x82\xa0")


@pytest.mark.parametrize(
    ("label", "codec", "kind"),
    [
        ("ISO-2022-JP", "iso2022_jp", "B"),
        ("ISO-2022-JP", "cp50220", "B"),
        ("Shift_JIS", "cp932", "B"),
        ("EUC-JP", "euc_jp", "Q"),
        ("UTF-8", "utf-8", "Q"),
    ],
)
def test_subject_and_sender_name_decode_from_encoded_words(label, codec, kind):
    subject = "Re: タブレットの件①" if codec in ("cp50220", "cp932") else "Re: タブレットの件"
    raw = mail(
        text_part("本文"),
        subject_header=encoded_word(subject, label, codec, kind),
        from_header=f"{encoded_word(SENDER, label, codec, kind)} <{SENDER_ADDRESS}>",
    )
    parsed = parse_mail(raw)
    assert parsed.subject == subject
    assert parsed.sender is not None
    assert parsed.sender.display_name == SENDER
    assert parsed.sender.address == SENDER_ADDRESS


def test_hand_written_mail_with_folded_headers_and_raw_shift_jis_subject():
    raw = (
        b"Received: from mx.example.ne.jp by helpdesk.example.jp;\r\n"
        b"\tTue, 1 Dec 2026 10:00:01 +0900\r\n"
        b"From: =?ISO-2022-JP?B?GyRCRURDZhsoQg==?=\r\n"
        b"  =?ISO-2022-JP?B?GyRCMlY7UhsoQg==?= <Hanako.Tanaka@Example.NE.JP>\r\n"
        b"To: soudan@helpdesk.example.jp,\r\n"
        b"  =?UTF-8?B?5L2Q6Jek?= <sato@example.jp>\r\n"
        b"Subject: " + "タブレット".encode("cp932") + b"\r\n"
        b"  =?UTF-8?B?44Gu5Lu2?=\r\n"
        b"Date: Tue, 1 Dec 2026 10:00:00 +0900 (JST)\r\n"
        b"Message-ID:\r\n <abc.123@example.ne.jp>\r\n"
        b"In-Reply-To: <helpdesk-reply.r1@helpdesk.example.jp> (message from\r\n"
        b" =?UTF-8?B?55u46KuH56qT5Y+j?=)\r\n"
        b"References: <root@example.ne.jp>\r\n"
        b"\t<helpdesk-reply.r1@helpdesk.example.jp>\r\n"
        b"Content-Type: text/plain;\r\n"
        b'\tcharset="ISO-2022-JP"\r\n'
        b"\r\n" + "ありがとうございました。".encode("iso2022_jp") + b"\r\n"
    )
    parsed = parse_mail(raw)
    assert parsed.sender is not None
    assert parsed.sender.address == "hanako.tanaka@example.ne.jp"
    assert parsed.sender.display_name == "田中花子"  # no space between encoded words
    assert [address.address for address in parsed.to] == [
        "soudan@helpdesk.example.jp",
        "sato@example.jp",
    ]
    assert parsed.to[1].display_name == "佐藤"
    assert parsed.subject == "タブレット の件"
    assert "subject charset guessed" in parsed.defects
    assert parsed.message_id == "<abc.123@example.ne.jp>"
    assert parsed.in_reply_to == ("<helpdesk-reply.r1@helpdesk.example.jp>",)
    assert parsed.references == (
        "<root@example.ne.jp>",
        "<helpdesk-reply.r1@helpdesk.example.jp>",
    )
    assert parsed.date == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert parsed.date.utcoffset() == timedelta(hours=9)
    assert parsed.text == "ありがとうございました。"


def test_html_only_mail_becomes_text_without_scripts_and_with_link_targets():
    html = (
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
        "<p>タブレットが<b>動きません</b>。</p><div>画面が<br>真っ暗です。</div>"
        "<p><a href='https://phish.example.com/login'>こちらから確認</a></p>"
        "<img src='https://tracker.example.com/p.gif' alt=''>"
        "<!-- hidden comment --></body></html>"
    )
    parsed = parse_mail(mail(text_part(html, subtype="html", label="Shift_JIS", codec="cp932")))
    assert parsed.from_html
    assert parsed.text == (
        "タブレットが動きません。\n\n画面が\n真っ暗です。\n\n"
        "こちらから確認 (https://phish.example.com/login)"
    )
    assert "alert" not in parsed.text
    assert "color" not in parsed.text
    assert "hidden" not in parsed.text
    assert "tracker" not in parsed.text


def test_alternative_prefers_the_plain_text_part():
    body = multipart(
        "alternative",
        [text_part("プレーンです", label="utf-8"), text_part("<p>HTMLです</p>", subtype="html")],
    )
    parsed = parse_mail(mail(body))
    assert parsed.text == "プレーンです"
    assert not parsed.from_html
    assert parsed.attachments == ()


def test_attachments_with_japanese_names_are_kept_and_refused_with_reasons():
    photo = b"\xff\xd8\xff" + b"\x00" * 2000
    body = multipart(
        "mixed",
        [
            text_part("写真を送ります。", label="ISO-2022-JP", codec="iso2022_jp", cte="7bit"),
            binary_part(  # RFC 2231 in ISO-2022-JP, split into continuations
                photo,
                content_type="image/jpeg",
                disposition="attachment; filename*0*=ISO-2022-JP''%1B%24B%3C%4C; "
                "filename*1*=%3F%3F%1B%28B.jpg",
            ),
            binary_part(  # encoded words in a quoted name (Outlook, Japanese mailers)
                b"%PDF-1.4 ...",
                content_type=f'application/pdf; name="{encoded_word("説明書.pdf", "Shift_JIS", "cp932")}"',
                disposition=f'attachment; filename="{encoded_word("説明書.pdf", "Shift_JIS", "cp932")}"',
            ),
            binary_part(
                b"MZ" + b"\x00" * 100,
                content_type="application/octet-stream",
                disposition='attachment; filename="invoice.pdf.exe"',
            ),
            binary_part(
                b"\x00" * 6000,
                content_type="video/mp4",
                disposition="attachment; filename*=UTF-8''%E5%8B%95%E7%94%BB.mp4",
            ),
            binary_part(
                b"\x89PNG" + b"\x00" * 10,
                content_type="image/png",
                disposition='attachment; filename="../../etc/passwd\x01.png"',
            ),
        ],
    )
    limits = MailLimits(max_attachment_bytes=5000, max_attachments=10)
    parsed = parse_mail(mail(body), limits)
    assert parsed.text == "写真を送ります。"
    kept = {attachment.filename: attachment for attachment in parsed.attachments}
    assert set(kept) == {"写真.jpg", "説明書.pdf", "passwd.png"}
    assert kept["写真.jpg"].data == photo
    assert kept["写真.jpg"].size == len(photo)
    assert kept["写真.jpg"].content_type == "image/jpeg"
    refused = {part.filename: part.reason for part in parsed.refused}
    assert refused == {
        "invoice.pdf.exe": RefusalReason.BLOCKED_TYPE,
        "動画.mp4": RefusalReason.TOO_LARGE,
    }
    assert [part.size for part in parsed.refused if part.filename == "動画.mp4"] == [6000]


def test_attachment_count_and_total_limits():
    parts = [text_part("たくさん")] + [
        binary_part(
            b"x" * 400,
            content_type="application/pdf",
            disposition=f'attachment; filename="file{number}.pdf"',
        )
        for number in range(5)
    ]
    parsed = parse_mail(
        mail(multipart("mixed", parts)),
        MailLimits(max_attachments=3, max_total_attachment_bytes=1000),
    )
    assert [attachment.filename for attachment in parsed.attachments] == ["file0.pdf", "file1.pdf"]
    assert [(part.filename, part.reason) for part in parsed.refused] == [
        ("file2.pdf", RefusalReason.TOTAL_TOO_LARGE),
        ("file3.pdf", RefusalReason.TOTAL_TOO_LARGE),
        ("file4.pdf", RefusalReason.TOTAL_TOO_LARGE),
    ]


def test_an_oversize_mail_keeps_its_headers_and_refuses_the_rest():
    body = multipart(
        "mixed",
        [
            text_part("大きな写真です"),
            binary_part(
                b"\x00" * 50_000,
                content_type="image/jpeg",
                disposition='attachment; filename="big.jpg"',
            ),
        ],
    )
    raw = mail(body, subject="大きな写真")
    parsed = parse_mail(raw, MailLimits(max_message_bytes=20_000))
    assert parsed.subject == "大きな写真"
    assert parsed.sender is not None
    assert parsed.sender.address == SENDER_ADDRESS
    assert parsed.text == ""
    assert parsed.attachments == ()
    assert [(part.reason, part.size) for part in parsed.refused] == [
        (RefusalReason.MESSAGE_TOO_LARGE, len(raw))
    ]


def test_inline_image_and_apple_mail_text_split_around_it():
    body = multipart(
        "mixed",
        [
            text_part("写真の前"),
            binary_part(
                b"\xff\xd8" + b"\x01" * 10,
                content_type="image/jpeg",
                disposition='inline; filename="IMG_0001.jpg"',
            ),
            text_part("写真の後"),
        ],
    )
    parsed = parse_mail(mail(body))
    assert parsed.text == "写真の前\n\n写真の後"
    assert [(a.filename, a.inline) for a in parsed.attachments] == [("IMG_0001.jpg", True)]


def test_format_flowed_with_delsp_joins_japanese_lines():
    flowed = "タブレットの電源が \r\n入りません。\r\n次の行"
    part = text_part(flowed, extra="; format=flowed; delsp=yes")
    assert parse_mail(mail(part)).text == "タブレットの電源が入りません。\n次の行"


def test_long_text_is_cut_with_a_mark():
    parsed = parse_mail(mail(text_part("あ" * 500)), MailLimits(max_text_chars=100))
    assert parsed.text == "あ" * 100 + TRUNCATED_MARK
    assert "text cut at 100 characters" in parsed.defects


def test_date_without_zone_is_utc_and_a_broken_date_is_none():
    dated = mail(text_part("x"), extra_headers=[])
    assert parse_mail(dated).date == datetime(2026, 12, 1, 10, tzinfo=timezone(timedelta(hours=9)))
    broken = dated.replace(b"Tue, 01 Dec 2026 10:00:00 +0900", b"yesterday afternoon")
    assert parse_mail(broken).date is None
    utc = dated.replace(b"+0900", b"-0000")
    assert parse_mail(utc).date == datetime(2026, 12, 1, 10, tzinfo=UTC)
