"""おおさか楽なび's rich menus: defined here, drawn here, provisioned through the Messaging API.

Two menus of four big buttons (2 x 2 on LINE's 2500 x 1686 canvas, so each button is a quarter of
the screen's lower half): everyone sees the default menu; a senior whose LINE is linked to their
tablet loan sees わたしのタブレット where the default menu offers タブレット連携 (how to link).

Provisioning is idempotent: each menu's name carries a digest of its definition and drawing, so a
restart finds the menus it made and reuses them; a changed definition makes new menus and deletes
the old ones (only ever menus whose names start with our prefix).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from services.common.logging import get_logger
from services.common.store import MongoStore
from services.common.store.outbox import Lease
from services.line_gateway.clients.messaging import (
    LineApiError,
    LineMessaging,
    MenuArea,
    MenuDefinition,
)
from services.line_gateway.metrics import RICH_MENU
from services.line_gateway.store import LineUserRepository, RichMenuRepository

log = get_logger(__name__)

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
_LEASE_TTL = timedelta(minutes=2)


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


class RichMenuProvisioner:
    """Makes sure LINE has our menus, the default is set, and linked seniors see theirs."""

    def __init__(
        self,
        *,
        store: MongoStore,
        messaging: LineMessaging,
        owner: str,
        retry_seconds: float,
    ) -> None:
        self._messaging = messaging
        self._menus = RichMenuRepository(store)
        self._users = LineUserRepository(store)
        # One instance provisions at a time, so two never race to replace each other's menus.
        self._lease = Lease(store, name="rich-menu-provisioning", owner=owner, ttl=_LEASE_TTL)
        self._retry_seconds = retry_seconds
        self.ready = asyncio.Event()

    async def run(self) -> None:
        """Provision, retrying until it works (LINE or MongoDB may be unreachable at start)."""
        while True:
            try:
                if await self._lease.acquire_or_renew():
                    try:
                        await self.provision()
                    finally:
                        await self._lease.release()
                    self.ready.set()
                    return
            except (LineApiError, OSError, FileNotFoundError) as error:
                RICH_MENU.labels("provision", "error").inc()
                log.warning("rich menu provisioning failed; will retry", error=str(error))
            except Exception:
                RICH_MENU.labels("provision", "error").inc()
                log.exception("rich menu provisioning failed; will retry")
            await asyncio.sleep(self._retry_seconds)

    async def provision(self) -> dict[str, str]:
        existing = await self._messaging.rich_menus()
        ids: dict[str, str] = {}
        for audience in MENUS:
            menu = definition(audience)
            found = next((m.rich_menu_id for m in existing if m.name == menu.name), None)
            if found is None:
                found = await self._messaging.create_rich_menu(menu)
                RICH_MENU.labels("create", "ok").inc()
                log.info("rich menu created", audience=audience, name=menu.name)
            # A menu created by a run that stopped before uploading has no image yet.
            if not await self._messaging.has_rich_menu_image(found):
                image, media_type = render(audience)
                await self._messaging.upload_rich_menu_image(found, image, media_type)
                RICH_MENU.labels("upload_image", "ok").inc()
            await self._menus.save(audience=audience, rich_menu_id=found, name=menu.name)
            ids[audience] = found
        await self._messaging.set_default_rich_menu(ids[DEFAULT])
        # Re-linked at every start: cheap, and it heals links to menus that were replaced.
        linked = await self._users.linked_user_ids()
        for start in range(0, len(linked), BULK_LINK_SIZE):
            await self._messaging.link_rich_menu_bulk(
                user_ids=linked[start : start + BULK_LINK_SIZE], rich_menu_id=ids[LINKED]
            )
        wanted = {definition(audience).name for audience in MENUS}
        for stale in existing:
            if stale.name.startswith(NAME_PREFIX) and stale.name not in wanted:
                await self._messaging.delete_rich_menu(stale.rich_menu_id)
                RICH_MENU.labels("delete_stale", "ok").inc()
        RICH_MENU.labels("provision", "ok").inc()
        log.info("rich menus ready", default=ids[DEFAULT], linked=ids[LINKED], relinked=len(linked))
        return ids
