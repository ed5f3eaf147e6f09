"""How a kept attachment is offered to staff: headers that make a browser save it, never show
it. Pure.

A mail's attachment is whatever its sender chose to send: an HTML or SVG file shown inline on
our origin would run its script with the staff member's session. So it is always
`Content-Disposition: attachment`, and only types a browser cannot run are named as such; any
other goes as `application/octet-stream` (with `nosniff`, the browser takes our word for it).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

SAFE_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/heic",
        "image/webp",
        "text/plain",
        "text/csv",
        "audio/mpeg",
        "audio/mp4",
        "video/mp4",
        "application/zip",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)
FALLBACK_TYPE = "application/octet-stream"
_NOT_TOKEN_SAFE = re.compile(r"[^A-Za-z0-9!#$&+\-.^_`|~ ()\[\]{}@,;=]")


def safe_content_type(declared: str) -> str:
    media = declared.split(";", 1)[0].strip().lower()
    if media not in SAFE_TYPES:
        return FALLBACK_TYPE
    # Text is stored as the sender's bytes; the charset is theirs, unknown here.
    return media


def content_disposition(filename: str) -> str:
    """RFC 6266 with the RFC 5987 `filename*` for the real (often Japanese) name, and a plain
    ASCII `filename` for clients that do not read `filename*`."""
    name = filename.replace("\r", "").replace("\n", "") or "attachment"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = _NOT_TOKEN_SAFE.sub("_", ascii_name).strip() or "attachment"
    extension = name.rpartition(".")[2] if "." in name else ""
    if extension.isascii() and extension and not ascii_name.endswith("." + extension):
        ascii_name = f"{ascii_name}.{extension}"
    encoded = quote(name, safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


def download_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": content_disposition(filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        # A file opened from the download still has no rights on our origin.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
