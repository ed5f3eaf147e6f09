"""The programme office's console: plain HTML, CSS and JavaScript written for this project,
served at /console/ by tablet_lending itself. It is a client of this service's API, signed in
with a session cookie (`POST /auth/session`) and the same roles; nothing here bypasses them."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
# The files the page may load: the folder's own, by name, never a path into anything else.
ASSETS = {path.name: TYPES[path.suffix] for path in STATIC_DIR.iterdir() if path.suffix in TYPES}

router = APIRouter(tags=["console"])

# Only its own files; nothing inline, nothing from elsewhere, never framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@router.get("/console", include_in_schema=False)
async def console_root() -> RedirectResponse:
    return RedirectResponse("/console/")


@router.get("/console/", include_in_schema=False)
async def console_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers=SECURITY_HEADERS)


@router.get("/console/static/{name}", include_in_schema=False)
async def console_asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, "Not found.")
    return FileResponse(STATIC_DIR / name, media_type=ASSETS[name], headers=SECURITY_HEADERS)
