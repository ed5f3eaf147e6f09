"""Header values decoded as they arrive: RFC 2047 encoded words in any Japanese charset, raw
8-bit bytes, folded lines, addresses, message-id lists and dates.

The `email` package decodes encoded words with Python's strict codecs and leaves a word it cannot
read as `=?ISO-2022-JP?B?...?=` (Outlook's 丸数字 do this), so the raw header text is decoded
here with the charset rules of `charsets`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.header import decode_header
from email.utils import getaddresses, parsedate_to_datetime

from services.helpdesk.domain.mail.charsets import decode_bytes
from services.helpdesk.domain.mail.model import MailAddress

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_ADDRESS = re.compile(r"^[^@\s<>()\[\]\\,;:\"]+@[^@\s<>()\[\]\\,;:\"]+\.[^@\s<>()\[\]\\,;:\"]+$")
# An id longer than this is not an id (RFC 5322 lines stop at 998 octets).
_MAX_ID_CHARS = 250
_MAX_IDS = 100


def unfold(raw: str) -> str:
    return _FOLD.sub("", raw).strip()


def _raw_bytes(text: str) -> bytes:
    """Undo the bytes parser's surrogateescape: raw 8-bit header bytes as they came."""
    return text.encode("utf-8", errors="surrogateescape")


def _has_raw_bytes(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)


def decode_header_text(raw: str) -> tuple[str, bool]:
    """A header's text and whether a charset had to be guessed or repaired."""
    value = unfold(raw)
    if "=?" not in value:
        if _has_raw_bytes(value):
            decoded = decode_bytes(_raw_bytes(value), None)
            return decoded.text, True
        return value, False
    try:
        chunks = decode_header(value)
    except (ValueError, LookupError, UnicodeError, AssertionError):
        # decode_header has raised on crafted encoded words in the past; keep the raw text.
        return value, True
    parts: list[str] = []
    repaired = False
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
            continue
        if charset is None:
            # Unencoded text between encoded words comes back escaped; raw 8-bit bytes in it
            # are the bytes parser's surrogates.
            text = chunk.decode("raw-unicode-escape")
            if _has_raw_bytes(text):
                decoded = decode_bytes(_raw_bytes(text), None)
                repaired = True
                parts.append(decoded.text)
            else:
                parts.append(text)
            continue
        decoded = decode_bytes(chunk, charset)
        repaired = repaired or decoded.repaired
        parts.append(decoded.text)
    return "".join(parts), repaired


def _address(value: str) -> str | None:
    address = value.strip().lower()
    if len(address) > 320 or not _ADDRESS.match(address):
        return None
    return address


def parse_addresses(values: list[str]) -> tuple[tuple[MailAddress, ...], bool]:
    """The mailboxes in address headers (From, To, Cc, Reply-To); flags unreadable ones."""
    found: list[MailAddress] = []
    broken = False
    unfolded = [unfold(value) for value in values]
    try:
        pairs = getaddresses(unfolded)
    except (ValueError, IndexError, TypeError):
        return (), True
    for name, addr in pairs:
        if not addr and not name:
            continue
        address = _address(addr)
        if address is None:
            broken = True
            continue
        display, repaired = decode_header_text(name) if name else ("", False)
        broken = broken or repaired
        found.append(MailAddress(address=address, display_name=display.strip()))
    return tuple(found), broken


def normalize_message_id(value: str) -> str | None:
    """`<id@host>`, from an id written with or without its angle brackets."""
    match = _MESSAGE_ID.search(value)
    inner = match.group(1) if match else value.strip()
    if not inner or len(inner) > _MAX_ID_CHARS or any(c.isspace() for c in inner):
        return None
    if "@" not in inner or _has_raw_bytes(inner):
        return None
    return f"<{inner}>"


def parse_message_ids(raw: str) -> tuple[str, ...]:
    """The ids in References or In-Reply-To, in order, without repeats.

    Some mailers write ids without brackets or separate them with commas; bracketed ids are
    taken when there are any (In-Reply-To often carries a comment after the id).
    """
    value = unfold(raw)
    ids = [f"<{inner}>" for inner in _MESSAGE_ID.findall(value)]
    if not ids:
        ids = [token for token in re.split(r"[\s,]+", value) if "@" in token]
    seen: dict[str, None] = {}
    for candidate in ids:
        normalized = normalize_message_id(candidate)
        if normalized is not None:
            seen.setdefault(normalized, None)
    return tuple(seen)[-_MAX_IDS:]


def parse_date(raw: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(unfold(raw))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # "-0000": the time is UTC, the zone unknown (RFC 5322 3.3)
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
