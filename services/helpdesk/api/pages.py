"""The staff page: plain HTML, CSS and JavaScript written for this project, served at /staff/."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(tags=["staff page"])

# The page loads only its own files; nothing inline, nothing from elsewhere, never framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@router.get("/staff", include_in_schema=False)
async def staff_root() -> RedirectResponse:
    return RedirectResponse("/staff/")


@router.get("/staff/", include_in_schema=False)
async def staff_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers=SECURITY_HEADERS)


@router.get("/staff/static/{name}", include_in_schema=False)
async def staff_asset(name: str) -> FileResponse:
    allowed = {"app.js": "text/javascript", "style.css": "text/css"}
    if name not in allowed:
        raise HTTPException(404, "Not found.")
    return FileResponse(STATIC_DIR / name, media_type=allowed[name], headers=SECURITY_HEADERS)
