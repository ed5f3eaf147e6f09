"""The headers a kept attachment is downloaded with: saved under its real name, never shown."""

from __future__ import annotations

from urllib.parse import unquote

from services.helpdesk.domain.mail.downloads import (
    content_disposition,
    download_headers,
    safe_content_type,
)


def test_a_japanese_name_goes_in_filename_star_with_an_ascii_fallback() -> None:
    header = content_disposition("診断書 (母).pdf")
    assert header.startswith("attachment; ")
    assert 'filename="' in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii()
    assert fallback.endswith(".pdf")
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii()
    assert " " not in encoded
    assert unquote(encoded) == "診断書 (母).pdf"


def test_quotes_and_line_breaks_in_a_name_cannot_break_the_header() -> None:
    header = content_disposition('a"b\r\nSet-Cookie: x=1.txt')
    assert "\r" not in header
    assert "\n" not in header
    fallback = header.split('filename="', 1)[1].split('"; filename*=', 1)[0]
    assert '"' not in fallback


def test_html_svg_and_unknown_types_are_never_served_as_themselves() -> None:
    for declared in ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "x/y"):
        assert safe_content_type(declared) == "application/octet-stream"
    assert safe_content_type("application/PDF; name=x.pdf") == "application/pdf"
    assert safe_content_type("image/png") == "image/png"
    headers = download_headers("x.pdf")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
