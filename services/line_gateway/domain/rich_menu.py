"""おおさか楽なび's rich menus: defined and drawn here, provisioned by `usecases/rich_menu.py`.

Two menus of four big buttons (2 x 2 on LINE's 2500 x 1686 canvas, so each button is a quarter of
the screen's lower half): everyone sees the default menu; a senior whose LINE is linked to their
tablet loan sees わたしのタブレット where the default menu offers タブレット連携 (how to link).

Provisioning is idempotent: each menu's name carries a digest of its definition and drawing, so a
restart finds the menus it made and reuses them; a changed definition makes new menus and deletes
the old ones (only ever menus whose names start with our prefix).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DEFAULT = "default"
LINKED = "linked"
NAME_PREFIX = "sslp-"
WIDTH, HEIGHT = 2500, 1686
MAX_IMAGE_BYTES = 1_000_000
# Bump when the drawing changes, so provisioning replaces the image even if the buttons did not.
RENDER_VERSION = 2
# IPAex Gothic has one weight; a stroke in the ink's colour makes the labels bold for tired eyes.
LABEL_STROKE = 4
FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
)
BULK_LINK_SIZE = 500


@dataclass(frozen=True)
class MenuArea:
    x: int
    y: int
    width: int
    height: int
    label: str
    data: str
    display_text: str


@dataclass(frozen=True)
class MenuDefinition:
    name: str
    chat_bar_text: str
    width: int
    height: int
    areas: tuple[MenuArea, ...]
    selected: bool = True


@dataclass(frozen=True)
class ExistingMenu:
    rich_menu_id: str
    name: str


@dataclass(frozen=True)
class Button:
    label: str
    subtitle: str
    data: str
    display_text: str
    colour: str  # tile background
    ink: str = "#1a1a1a"


TALK = Button("大ちゃんと話す", "AIと おしゃべり", "daichan:talk", "大ちゃんと話したい", "#ffd66b")
HELP = Button("困ったとき", "人に そうだん", "daichan:help", "困っています", "#ffb3a7")
MY_TABLET = Button(
    "わたしのタブレット", "返す日・貸出", "daichan:my_loan", "わたしのタブレット", "#a8dcff"
)
LINK_HOW = Button(
    "タブレット連携", "お借りの方へ", "line:link_help", "連携のしかたを知りたい", "#a8dcff"
)
SESSIONS = Button(
    "講座の予定", "説明会・教室", "daichan:sessions", "講座の予定を知りたい", "#b9e8a8"
)

MENUS: dict[str, tuple[Button, ...]] = {
    DEFAULT: (TALK, HELP, LINK_HOW, SESSIONS),
    LINKED: (TALK, HELP, MY_TABLET, SESSIONS),
}


def _digest(buttons: tuple[Button, ...]) -> str:
    canonical = json.dumps(
        {
            "buttons": [asdict(b) for b in buttons],
            "render": RENDER_VERSION,
            "size": [WIDTH, HEIGHT],
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def definition(audience: str) -> MenuDefinition:
    buttons = MENUS[audience]
    half_w, half_h = WIDTH // 2, HEIGHT // 2
    areas = tuple(
        MenuArea(
            x=(index % 2) * half_w,
            y=(index // 2) * half_h,
            width=half_w,
            height=half_h,
            label=button.label,
            data=button.data,
            display_text=button.display_text,
        )
        for index, button in enumerate(buttons)
    )
    return MenuDefinition(
        name=f"{NAME_PREFIX}{audience}-{_digest(buttons)}",
        chat_bar_text="メニュー",
        width=WIDTH,
        height=HEIGHT,
        areas=areas,
    )


def find_font() -> Path:
    for candidate in FONT_CANDIDATES:
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        "no Japanese font for the rich menu; install fonts-ipaexfont-gothic "
        "(scripts/install-system-packages does)"
    )


def _centred(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    text: str,
    *,
    font: ImageFont.FreeTypeFont,
    y: int,
    fill: str,
    stroke: int = 0,
) -> None:
    left, _top, right, _bottom = box
    width = draw.textlength(text, font=font)
    draw.text(
        (left + (right - left - width) / 2, y),
        text,
        font=font,
        fill=fill,
        stroke_width=stroke,
        stroke_fill=fill,
    )


def _fitting_font(
    path: Path, text: str, *, size: int, max_width: int, draw: ImageDraw.ImageDraw
) -> ImageFont.FreeTypeFont:
    # Shrink only as far as needed: the longest label (わたしのタブレット) still reads large.
    while True:
        font = ImageFont.truetype(str(path), size)
        if draw.textlength(text, font=font) <= max_width or size <= 60:
            return font
        size -= 6


def render(audience: str, *, font_path: Path | None = None) -> tuple[bytes, str]:
    """The menu image as PNG (or JPEG if a PNG would exceed LINE's 1 MB), and its media type.

    Drawn from the definition alone, with no randomness or timestamps, so the same definition,
    font and Pillow version give the same bytes.
    """
    path = font_path or find_font()
    buttons = MENUS[audience]
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)
    half_w, half_h = WIDTH // 2, HEIGHT // 2
    gap = 12
    subtitle_font = ImageFont.truetype(str(path), 96)
    for index, button in enumerate(buttons):
        left = (index % 2) * half_w
        top = (index // 2) * half_h
        box = (left + gap, top + gap, left + half_w - gap, top + half_h - gap)
        draw.rounded_rectangle(box, radius=48, fill=button.colour, outline="#5a5a5a", width=6)
        label_font = _fitting_font(path, button.label, size=190, max_width=half_w - 120, draw=draw)
        _centred(
            draw,
            box,
            button.label,
            font=label_font,
            y=top + 250,
            fill=button.ink,
            stroke=LABEL_STROKE,
        )
        _centred(draw, box, button.subtitle, font=subtitle_font, y=top + 520, fill="#333333")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    if buffer.tell() <= MAX_IMAGE_BYTES:
        return buffer.getvalue(), "image/png"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue(), "image/jpeg"


def stale_menus(existing: Iterable[ExistingMenu]) -> list[ExistingMenu]:
    """Our menus (by name prefix) that no current definition names: to delete. Others' menus
    are never touched."""
    wanted = {definition(audience).name for audience in MENUS}
    return [m for m in existing if m.name.startswith(NAME_PREFIX) and m.name not in wanted]
