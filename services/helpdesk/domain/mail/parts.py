"""The MIME parts of one mail: which text is the body, which parts are attachments to keep, and
which are refused (and why)."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

from services.helpdesk.domain.mail.charsets import decode_bytes
from services.helpdesk.domain.mail.headers import decode_header_text, normalize_message_id
from services.helpdesk.domain.mail.html import html_to_text
from services.helpdesk.domain.mail.model import Attachment, MailLimits, RefusalReason, RefusedPart

# Programs and scripts are refused whatever the sender calls them: staff download attachments.
BLOCKED_EXTENSIONS = frozenset(
    {
        "app",
        "bat",
        "cmd",
        "com",
        "cpl",
        "dll",
        "exe",
        "hta",
        "jar",
        "js",
        "jse",
        "lnk",
        "msi",
        "msp",
        "pif",
        "ps1",
        "reg",
        "scr",
        "sh",
        "vb",
        "vbe",
        "vbs",
        "wsf",
        "wsh",
    }
)
BLOCKED_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-ms-installer",
        "application/x-msi",
        "application/x-sh",
        "application/javascript",
        "text/javascript",
        "application/x-executable",
        "application/vnd.microsoft.portable-executable",
    }
)
_SIGNATURES = frozenset({"application/pkcs7-signature", "application/x-pkcs7-signature"})
_SIGNATURES_PGP = frozenset({"application/pgp-signature"})
_ENCRYPTED = frozenset(
    {"application/pkcs7-mime", "application/x-pkcs7-mime", "application/pgp-encrypted"}
)
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f]")
_MAX_DEPTH = 20


@dataclass
class CollectedParts:
    texts: list[str] = field(default_factory=list)
    from_html: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    refused: list[RefusedPart] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    kept_bytes: int = 0


def _raw_header(part: Message, name: str) -> str | None:
    for key, value in part.raw_items():
        if key.lower() == name:
            return str(value)
    return None


def _param(part: Message, header: str, name: str) -> str | None:
    """A parameter decoded from the raw header: RFC 2231 (any charset, continuations) or the
    encoded words Japanese mailers put in quoted file names."""
    raw = _raw_header(part, header)
    if raw is None:
        return None
    plain = Message()
    plain[header] = raw
    value = plain.get_param(name, header=header)
    if value is None:
        return None
    if isinstance(value, tuple):
        charset, _language, text = value
        data = text.encode("latin-1", errors="surrogateescape")
        return decode_bytes(data, charset or "us-ascii").text
    return decode_header_text(value)[0]


def safe_filename(name: str) -> str:
    """A file name to show and offer: no folders, no control characters, bounded length."""
    name = _UNSAFE_FILENAME.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = name.lstrip(".").strip()
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[:190]}{dot}{extension[:9]}" if dot and len(extension) <= 9 else name[:200]
    return name


def part_filename(part: Message) -> str:
    for header, name in (("content-disposition", "filename"), ("content-type", "name")):
        value = _param(part, header, name)
        if value:
            return safe_filename(value)
    return ""


def _extension(filename: str) -> str:
    return filename.rpartition(".")[2].lower() if "." in filename else ""


def _unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676 format=flowed: soft line breaks joined again (iPhone, Thunderbird)."""
    lines: list[str] = []
    buffer = ""
    for raw_line in text.split("\n"):
        line = raw_line.removesuffix("\r")
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            buffer += line[:-1] if delsp else line
            continue
        lines.append(buffer + line)
        buffer = ""
    if buffer:
        lines.append(buffer)
    return "\n".join(lines)


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _text_of(part: Message, collected: CollectedParts) -> None:
    data = _payload(part)
    declared = part.get_content_charset()
    decoded = decode_bytes(data, declared)
    if decoded.repaired:
        collected.defects.append(f"body charset {declared or 'missing'} read as {decoded.charset}")
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
        collected.from_html = True
    elif str(part.get_param("format") or "").lower() == "flowed":
        text = _unflow(text, delsp=str(part.get_param("delsp") or "").lower() == "yes")
    if text.strip():
        collected.texts.append(text)


def _keep(
    collected: CollectedParts,
    limits: MailLimits,
    *,
    filename: str,
    content_type: str,
    data: bytes,
    inline: bool,
    content_id: str | None,
) -> None:
    size = len(data)
    reason: RefusalReason | None = None
    if content_type in BLOCKED_TYPES or _extension(filename) in BLOCKED_EXTENSIONS:
        reason = RefusalReason.BLOCKED_TYPE
    elif size > limits.max_attachment_bytes:
        reason = RefusalReason.TOO_LARGE
    elif len(collected.attachments) >= limits.max_attachments:
        reason = RefusalReason.TOO_MANY
    elif collected.kept_bytes + size > limits.max_total_attachment_bytes:
        reason = RefusalReason.TOTAL_TOO_LARGE
    if reason is not None:
        collected.refused.append(RefusedPart(filename, content_type, size, reason))
        return
    collected.kept_bytes += size
    collected.attachments.append(
        Attachment(
            filename=filename,
            content_type=content_type,
            size=size,
            data=data,
            inline=inline,
            content_id=content_id,
        )
    )


def _default_name(content_type: str, number: int) -> str:
    extension = mimetypes.guess_extension(content_type, strict=False) or ".bin"
    return f"attachment-{number}{extension}"


def _attachment(part: Message, collected: CollectedParts, limits: MailLimits) -> None:
    content_type = part.get_content_type()
    filename = part_filename(part)
    number = len(collected.attachments) + len(collected.refused) + 1
    if content_type in ("message/rfc822", "message/global"):
        inner = part.get_payload()
        data = b""
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            data = inner[0].as_bytes()
            if not filename:
                subject = decode_header_text(_raw_header(inner[0], "subject") or "")[0]
                filename = safe_filename(f"{subject or 'message'}.eml")
    else:
        data = _payload(part)
    content_id_raw = _raw_header(part, "content-id")
    content_id = normalize_message_id(content_id_raw) if content_id_raw else None
    disposition = part.get_content_disposition()
    _keep(
        collected,
        limits,
        filename=filename or _default_name(content_type, number),
        content_type=content_type,
        data=data,
        inline=disposition == "inline" or (disposition is None and content_id is not None),
        content_id=content_id,
    )


def _choose_alternative(children: list[Message]) -> Message | None:
    """text/plain where the sender gave one; HTML (or its multipart/related) otherwise."""
    for wanted in ("text/plain", "text/html"):
        for child in children:
            if child.get_content_type() == wanted and child.get_content_disposition() is None:
                return child
    for child in children:
        if child.get_content_type() in ("multipart/related", "multipart/mixed"):
            return child
    return children[-1] if children else None


def collect_parts(message: EmailMessage, limits: MailLimits) -> CollectedParts:
    """Body texts in order, attachments kept or refused, walking the tree without recursion."""
    collected = CollectedParts()
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        if depth > _MAX_DEPTH:
            collected.defects.append("MIME nesting too deep; inner parts ignored")
            continue
        content_type = part.get_content_type()
        maintype, _, subtype = content_type.partition("/")
        if maintype == "multipart":
            payload = part.get_payload()
            children = (
                [child for child in payload if isinstance(child, Message)]
                if isinstance(payload, list)
                else []
            )
            if subtype == "alternative":
                chosen = _choose_alternative(children)
                children = [chosen] if chosen is not None else []
            elif subtype == "signed":
                children = children[:1]
            elif subtype == "encrypted":
                collected.refused.append(RefusedPart("", content_type, 0, RefusalReason.ENCRYPTED))
                children = []
            stack.extend((child, depth + 1) for child in reversed(children))
            continue
        if maintype == "message" and subtype not in ("rfc822", "global"):
            continue  # delivery-status and disposition-notification: read by `automation`
        if content_type in _SIGNATURES or content_type in _SIGNATURES_PGP:
            continue
        if content_type in _ENCRYPTED:
            collected.refused.append(
                RefusedPart(part_filename(part), content_type, 0, RefusalReason.ENCRYPTED)
            )
            continue
        disposition = part.get_content_disposition()
        is_text = content_type in ("text/plain", "text/html")
        if is_text and disposition != "attachment" and not part_filename(part):
            _text_of(part, collected)
            continue
        _attachment(part, collected, limits)
    return collected
