"""The staff page: plain HTML, CSS and JavaScript written for this project, served at /staff/."""

from __future__ import annotations

from pathlib import Path

from services.common.pages import page_router

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = page_router("/staff", STATIC_DIR, tag="staff page")
