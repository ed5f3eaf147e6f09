"""The programme office's console: plain HTML, CSS and JavaScript written for this project,
served at /console/ by tablet_lending itself. It is a client of this service's API, signed in
with a session cookie (`POST /auth/session`) and the same roles; nothing here bypasses them."""

from __future__ import annotations

from pathlib import Path

from services.common.pages import page_router

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = page_router("/console", STATIC_DIR, tag="console")
