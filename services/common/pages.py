"""A service's own page (the helpdesk's /staff/, tablet_lending's /console/): plain HTML, CSS and
JavaScript from the service's static folder, under one strict policy."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

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
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def page_router(path: str, static_dir: Path, *, tag: str) -> APIRouter:
    """`path` (say "/staff") redirects to `path/`, which is `index.html`; `path/static/{name}`
    serves the folder's own scripts, styles and images by name, never a path into anything else."""
    assets = {p.name: TYPES[p.suffix] for p in static_dir.iterdir() if p.suffix in TYPES}
    router = APIRouter(tags=[tag])

    @router.get(path, include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(f"{path}/")

    @router.get(f"{path}/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(static_dir / "index.html", headers=SECURITY_HEADERS)

    @router.get(f"{path}/static/{{name}}", include_in_schema=False)
    async def asset(name: str) -> FileResponse:
        if name not in assets:
            raise HTTPException(404, "Not found.")
        return FileResponse(static_dir / name, media_type=assets[name], headers=SECURITY_HEADERS)

    return router
