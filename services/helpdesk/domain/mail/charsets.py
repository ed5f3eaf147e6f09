"""Bytes to text the way Japanese mail really arrives.

Mail says which charset it uses, and is often wrong: Shift_JIS bodies labelled ISO-2022-JP,
UTF-8 labelled Shift_JIS, no label at all, or a Western label on Japanese bytes. Outlook and
other Windows mailers send "ISO-2022-JP" that is really Microsoft's CP50220/50221/50222: the
CP932 repertoire (丸数字 ①, ㈱, NEC and IBM extension kanji such as 髙) and half-width katakana
(ESC ( I, or SO/SI), none of which Python's strict `iso2022_jp` codec accepts.

So: the declared charset is tried first (strictly, with Microsoft's supersets for the Japanese
names); when it fails, or is a single-byte label on bytes that are not ASCII, charset-normalizer
picks among the Japanese encodings; as a last resort the bytes are decoded with replacement
characters. Decoding never raises.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

_ESC = 0x1B
_SO = 0x0E
_SI = 0x0F

# Mail charset labels mapped to the codecs that read what senders mean by them.
_JAPANESE_ALIASES = {
    "iso-2022-jp": "iso-2022-jp-ms",
    "csiso2022jp": "iso-2022-jp-ms",
    "iso-2022-jp-ms": "iso-2022-jp-ms",
    "iso-2022-jp-1": "iso-2022-jp-ms",
    "iso-2022-jp-2": "iso2022_jp_2",
    "iso-2022-jp-3": "iso2022_jp_3",
    "iso-2022-jp-2004": "iso2022_jp_2004",
    "cp50220": "iso-2022-jp-ms",
    "cp50221": "iso-2022-jp-ms",
    "cp50222": "iso-2022-jp-ms",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "csshiftjis": "cp932",
    "windows-31j": "cp932",
    "cp932": "cp932",
    "ms932": "cp932",
    "shift_jis-2004": "shift_jis_2004",
    "euc-jp": "euc_jp",
    "x-euc-jp": "euc_jp",
    "eucjp": "euc_jp",
    "cseucpkdfmtjapanese": "euc_jp",
    "cp51932": "euc_jp",
    "euc-jis-2004": "euc_jis_2004",
    "utf-8": "utf-8",
    "utf8": "utf-8",
}
# Labels whose codec decodes any byte sequence: they cannot tell a wrong label from a right one.
_SINGLE_BYTE_PREFIXES = (
    "us-ascii",
    "ascii",
    "iso-8859-",
    "iso8859",
    "latin",
    "windows-125",
    "cp125",
)
# What Japanese mail is written in, for the detector to choose from.
_CANDIDATES = ("utf_8", "cp932", "euc_jis_2004")


@dataclass(frozen=True)
class Decoded:
    text: str
    # The codec that produced `text`; "replace" when nothing decoded it cleanly.
    charset: str
    # The declared charset was missing, unknown or wrong, and another one was used.
    repaired: bool


def decode_iso2022jp_ms(data: bytes) -> str:
    """ISO-2022-JP with Microsoft's CP50220-2 extensions, by way of CP932.

    Each JIS X 0208 pair is moved to its Shift_JIS code, JIS X 0201 katakana (ESC ( I or
    SO ... SI) to its single byte, and the result decoded as CP932, which holds the NEC and IBM
    extensions. Plain ISO-2022-JP is a subset. Raises UnicodeDecodeError on what is not this
    encoding (8-bit bytes, unknown escapes, a broken pair).
    """
    out = bytearray()
    mode = "ascii"
    shifted = False  # SO ... SI half-width katakana (CP50222)
    i = 0
    n = len(data)
    while i < n:
        byte = data[i]
        if byte == _ESC:
            mode = _escape(data, i)
            i += 3
        elif byte in (_SO, _SI):
            shifted = byte == _SO
            i += 1
        elif byte >= 0x80:
            raise UnicodeDecodeError("iso-2022-jp-ms", data, i, i + 1, "8-bit byte")
        elif byte < 0x21 or byte == 0x7F or (mode == "ascii" and not shifted):
            # Control characters (line ends) pass through whatever the mode: mailers that
            # forget ESC ( B before a line end are common.
            out.append(byte)
            i += 1
        elif shifted or mode == "kana":
            if byte > 0x5F:
                raise UnicodeDecodeError("iso-2022-jp-ms", data, i, i + 1, "not katakana")
            out.append(byte + 0x80)
            i += 1
        else:
            if i + 1 >= n or not 0x21 <= data[i + 1] <= 0x7E:
                raise UnicodeDecodeError("iso-2022-jp-ms", data, i, i + 2, "broken pair")
            out.extend(_jis_to_sjis(byte, data[i + 1]))
            i += 2
    return out.decode("cp932")


_ESCAPES = {b"$B": "jis0208", b"$@": "jis0208", b"(B": "ascii", b"(J": "ascii", b"(I": "kana"}


def _escape(data: bytes, index: int) -> str:
    mode = _ESCAPES.get(data[index + 1 : index + 3])
    if mode is None:
        raise UnicodeDecodeError("iso-2022-jp-ms", data, index, index + 1, "unsupported escape")
    return mode


def _jis_to_sjis(first: int, second: int) -> bytes:
    if first % 2:
        second += 0x1F if second < 0x60 else 0x20
    else:
        second += 0x7E
    first = ((first + 1) >> 1) + (0x70 if first < 0x5F else 0xB0)
    return bytes((first, second))


def codec_for(label: str | None) -> str | None:
    """The Python codec for a mail charset label, or None when it is unknown."""
    if not label:
        return None
    name = label.strip().strip('"').lower()
    if name in _JAPANESE_ALIASES:
        return _JAPANESE_ALIASES[name]
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def _strict(data: bytes, codec: str) -> str:
    if codec == "iso-2022-jp-ms":
        return decode_iso2022jp_ms(data)
    if codec == "euc_jp":
        # EUC-JP from Windows (CP51932) and JIS X 0213 mailers carry 丸数字 in row 13, which
        # Python's euc_jp lacks and euc_jis_2004 has at the same codes.
        try:
            return data.decode("euc_jp")
        except UnicodeDecodeError:
            return data.decode("euc_jis_2004")
    text = data.decode(codec)
    if codec == "utf-8" and text.startswith("\ufeff"):
        text = text[1:]
    return text


def _single_byte(codec: str) -> bool:
    return codec.startswith(_SINGLE_BYTE_PREFIXES)


def _looks_iso2022jp(data: bytes) -> bool:
    return (b"\x1b$B" in data or b"\x1b$@" in data or b"\x1b(I" in data) and max(data) < 0x80


def _detect(data: bytes, declared: str | None) -> Decoded | None:
    if _looks_iso2022jp(data):
        try:
            return Decoded(decode_iso2022jp_ms(data), "iso-2022-jp-ms", repaired=True)
        except UnicodeDecodeError:
            pass
    candidates = list(_CANDIDATES)
    if declared and declared not in candidates and not _single_byte(declared):
        candidates.append(declared)
    best = from_bytes(data, cp_isolation=candidates).best()
    if best is None:
        return None
    return Decoded(str(best), best.encoding, repaired=True)


def decode_bytes(data: bytes, declared: str | None) -> Decoded:
    """Text from `data` labelled `declared` (a mail charset label, possibly wrong or None)."""
    codec = codec_for(declared)
    if not data:
        return Decoded("", codec or "us-ascii", repaired=False)
    ascii_only = max(data) < 0x80
    if codec is not None and not (_single_byte(codec) and not ascii_only):
        try:
            return Decoded(_strict(data, codec), codec, repaired=False)
        except (UnicodeDecodeError, LookupError):
            pass
    if ascii_only and not _looks_iso2022jp(data):
        return Decoded(data.decode("ascii"), "us-ascii", repaired=codec is None and bool(declared))
    detected = _detect(data, codec)
    if detected is not None:
        return detected
    if codec is not None and _single_byte(codec):
        # A Western label on bytes nothing else reads: believe it.
        return Decoded(data.decode(codec, errors="replace"), codec, repaired=False)
    fallback = "utf-8" if codec in (None, "iso-2022-jp-ms") else codec
    return Decoded(data.decode(fallback, errors="replace"), "replace", repaired=True)
