"""Mail as Japanese senders' mailers really write it, built with the `email` package (compat32,
as legacy mailers do: the modern policy would re-encode every header in UTF-8) from text in
each charset, so the tests read bytes a real message would have."""

from __future__ import annotations

import base64
import quopri
from collections.abc import Sequence
from email import policy
from email.message import Message

SENDER = "田中 花子"
SENDER_ADDRESS = "hanako.tanaka@example.ne.jp"
HELPDESK = "soudan@helpdesk.example.jp"
DOMAIN = "helpdesk.example.jp"


def to_cp50220(text: str) -> bytes:
    """`text` as Outlook writes "ISO-2022-JP": CP932's repertoire in JIS escapes, half-width
    katakana after ESC ( I (Microsoft's CP50221)."""
    sjis = text.encode("cp932")
    out = bytearray()
    mode = "ascii"
    index = 0
    while index < len(sjis):
        byte = sjis[index]
        if byte < 0x80:
            if mode != "ascii":
                out += b"\x1b(B"
                mode = "ascii"
            out.append(byte)
            index += 1
        elif 0xA1 <= byte <= 0xDF:
            if mode != "kana":
                out += b"\x1b(I"
                mode = "kana"
            out.append(byte - 0x80)
            index += 1
        else:
            if mode != "jis":
                out += b"\x1b$B"
                mode = "jis"
            first, second = sjis[index], sjis[index + 1]
            index += 2
            if first >= 0xE0:
                first -= 0x40
            first = (first - 0x70) * 2 - (1 if second < 0x9F else 0)
            if second < 0x9F:
                second -= 0x1F if second < 0x7F else 0x20
            else:
                second -= 0x7E
            out += bytes((first, second))
    if mode != "ascii":
        out += b"\x1b(B"
    return bytes(out)


def encode(text: str, codec: str) -> bytes:
    return to_cp50220(text) if codec == "cp50220" else text.encode(codec)


def encoded_word(text: str, label: str, codec: str, kind: str = "B") -> str:
    data = encode(text, codec)
    if kind == "B":
        return f"=?{label}?B?{base64.b64encode(data).decode()}?="
    quoted = quopri.encodestring(data, header=True).decode().replace("=\n", "")
    return f"=?{label}?Q?{quoted}?="


# 8-bit bodies: the generator would re-encode raw bytes through the declared charset, so the
# part holds a token that `mail` swaps for the bytes after flattening.
_RAW_BODIES: dict[str, bytes] = {}


def _transfer(data: bytes, cte: str) -> str:
    if cte == "base64":
        return base64.encodebytes(data).decode("ascii")
    if cte == "quoted-printable":
        return quopri.encodestring(data).decode("ascii")
    if data.isascii():
        return data.decode("ascii")
    token = f"@@raw-body-{len(_RAW_BODIES)}@@"
    _RAW_BODIES[token] = data
    return token


def text_part(
    text: str,
    *,
    label: str | None = "utf-8",
    codec: str = "utf-8",
    cte: str = "base64",
    subtype: str = "plain",
    extra: str = "",
) -> Message:
    part = Message(policy=policy.compat32)
    charset = f'; charset="{label}"' if label else ""
    part["Content-Type"] = f"text/{subtype}{charset}{extra}"
    part["Content-Transfer-Encoding"] = cte
    part.set_payload(_transfer(encode(text, codec), cte))
    return part


def binary_part(
    data: bytes, *, content_type: str, disposition: str, cte: str = "base64"
) -> Message:
    part = Message(policy=policy.compat32)
    part["Content-Type"] = content_type
    part["Content-Disposition"] = disposition
    part["Content-Transfer-Encoding"] = cte
    part.set_payload(_transfer(data, cte))
    return part


def multipart(subtype: str, parts: Sequence[Message], boundary: str | None = None) -> Message:
    container = Message(policy=policy.compat32)
    container["Content-Type"] = f"multipart/{subtype}"
    container.set_boundary(boundary or f"=={subtype}-boundary==")
    for part in parts:
        container.attach(part)
    return container


def mail(
    body: Message,
    *,
    subject: str = "タブレットについて",
    subject_header: str | None = None,
    from_header: str | None = None,
    message_id: str = "<20261201100000.abc@example.ne.jp>",
    extra_headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A whole mail around `body`, headers first as a mailer orders them."""
    top = Message(policy=policy.compat32)
    top["From"] = from_header or f"{encoded_word(SENDER, 'UTF-8', 'utf-8')} <{SENDER_ADDRESS}>"
    top["To"] = HELPDESK
    top["Subject"] = subject_header or encoded_word(subject, "UTF-8", "utf-8")
    top["Date"] = "Tue, 01 Dec 2026 10:00:00 +0900"
    top["Message-ID"] = message_id
    top["MIME-Version"] = "1.0"
    for name, value in extra_headers:
        top[name] = value
    for name, value in body.items():
        top[name] = value
    top.set_payload(body.get_payload())
    raw = top.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))
    for token, data in _RAW_BODIES.items():
        raw = raw.replace(token.encode(), data)
    return raw
