"""Rich menus as LINE keeps them: menus, their images, the default menu and per-user links.

Held by `LinePlatform` (under its lock); the rules mirror LINE's: an image is uploaded once per
menu, must match the menu's size and be a PNG or JPEG of at most 1 MB; a menu without an image
cannot be made the default or linked to a user; deleting a menu unlinks it everywhere.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass, field
from typing import Any

from tools.line_simulator.errors import NOT_FOUND, LineError, invalid_body
from tools.line_simulator.validation import Detail, detail, is_user_id, validate_action

JsonObject = dict[str, Any]
MAX_IMAGE_BYTES = 1024 * 1024
MAX_AREAS = 20
MAX_CHAT_BAR_TEXT = 14
MAX_NAME = 300
MAX_BULK_USERS = 500
IMAGE_NOT_UPLOADED = "must upload richmenu image before applying it to user"
IMAGE_ALREADY_UPLOADED = "An image has already been uploaded to the richmenu"


@dataclass
class RichMenu:
    rich_menu_id: str
    body: JsonObject
    image: bytes | None = None
    media_type: str | None = None

    def to_json(self) -> JsonObject:
        return {"richMenuId": self.rich_menu_id, **self.body}

    @property
    def size(self) -> tuple[int, int]:
        return int(self.body["size"]["width"]), int(self.body["size"]["height"])


@dataclass
class RichMenus:
    menus: dict[str, RichMenu] = field(default_factory=dict)
    default: str | None = None
    per_user: dict[str, str] = field(default_factory=dict)

    def create(self, body: JsonObject) -> RichMenu:
        problems = validate_rich_menu(body)
        if problems:
            raise invalid_body(problems)
        menu = RichMenu(rich_menu_id=f"richmenu-{uuid.uuid4().hex}", body=_canonical(body))
        self.menus[menu.rich_menu_id] = menu
        return menu

    def get(self, rich_menu_id: str) -> RichMenu:
        menu = self.menus.get(rich_menu_id)
        if menu is None:
            raise LineError(404, "richmenu not found")
        return menu

    def delete(self, rich_menu_id: str) -> None:
        self.get(rich_menu_id)
        del self.menus[rich_menu_id]
        if self.default == rich_menu_id:
            self.default = None
        self.per_user = {u: m for u, m in self.per_user.items() if m != rich_menu_id}

    def upload(self, rich_menu_id: str, data: bytes, media_type: str) -> None:
        menu = self.get(rich_menu_id)
        if menu.image is not None:
            raise LineError(400, IMAGE_ALREADY_UPLOADED)
        media_type = media_type.split(";", maxsplit=1)[0].strip().lower()
        if media_type not in ("image/png", "image/jpeg"):
            raise LineError(415, "Unsupported Media Type: use image/png or image/jpeg")
        if len(data) > MAX_IMAGE_BYTES:
            raise LineError(413, "Request Entity Too Large: the image must be 1 MB or less")
        dimensions = image_size(data, media_type)
        if dimensions is None:
            raise LineError(400, f"The image is not a valid {media_type}")
        if dimensions != menu.size:
            raise LineError(
                400,
                f"Image size {dimensions[0]}x{dimensions[1]} does not match the rich menu size "
                f"{menu.size[0]}x{menu.size[1]}",
            )
        menu.image, menu.media_type = data, media_type

    def image(self, rich_menu_id: str) -> tuple[bytes, str]:
        menu = self.get(rich_menu_id)
        if menu.image is None or menu.media_type is None:
            raise LineError(404, NOT_FOUND)
        return menu.image, menu.media_type

    def _usable(self, rich_menu_id: str) -> RichMenu:
        menu = self.get(rich_menu_id)
        if menu.image is None:
            raise LineError(400, IMAGE_NOT_UPLOADED)
        return menu

    def set_default(self, rich_menu_id: str) -> None:
        self._usable(rich_menu_id)
        self.default = rich_menu_id

    def link(self, user_ids: list[str], rich_menu_id: str) -> None:
        self._usable(rich_menu_id)
        for user_id in user_ids:
            self.per_user[user_id] = rich_menu_id

    def unlink(self, user_ids: list[str]) -> None:
        for user_id in user_ids:
            self.per_user.pop(user_id, None)

    def linked_to(self, user_id: str) -> str:
        found = self.per_user.get(user_id)
        if found is None:
            raise LineError(404, "the user has no richmenu")
        return found

    def default_id(self) -> str:
        if self.default is None:
            raise LineError(404, "no default richmenu")
        return self.default

    def shown_to(self, user_id: str) -> tuple[RichMenu | None, str | None]:
        """The menu the user's chat shows (their own, else the default) and which it is."""
        own = self.per_user.get(user_id)
        if own is not None and own in self.menus:
            return self.menus[own], "user"
        if self.default is not None and self.default in self.menus:
            return self.menus[self.default], "default"
        return None, None


def _canonical(body: JsonObject) -> JsonObject:
    return {
        "size": body["size"],
        "selected": bool(body.get("selected", False)),
        "name": body["name"],
        "chatBarText": body["chatBarText"],
        "areas": body["areas"],
    }


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_rich_menu(body: Any) -> list[Detail]:
    if not isinstance(body, dict):
        return [detail("(body)", "Must be an object")]
    problems: list[Detail] = []
    size = body.get("size")
    width = height = 0
    if not isinstance(size, dict) or not _int(size.get("width")) or not _int(size.get("height")):
        problems.append(detail("size", "Must have integer width and height"))
    else:
        width, height = size["width"], size["height"]
        if not 800 <= width <= 2500 or height < 250 or width / height < 1.45:
            problems.append(
                detail("size", "Width must be 800..2500, height at least 250, width/height >= 1.45")
            )
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME:
        problems.append(detail("name", f"Length must be between 1 and {MAX_NAME}"))
    chat_bar = body.get("chatBarText")
    if not isinstance(chat_bar, str) or not 1 <= len(chat_bar) <= MAX_CHAT_BAR_TEXT:
        problems.append(detail("chatBarText", f"Length must be between 1 and {MAX_CHAT_BAR_TEXT}"))
    if "selected" in body and not isinstance(body["selected"], bool):
        problems.append(detail("selected", "Must be a boolean"))
    areas = body.get("areas")
    if not isinstance(areas, list) or not 1 <= len(areas) <= MAX_AREAS:
        problems.append(detail("areas", f"Size must be between 1 and {MAX_AREAS}"))
        return problems
    for index, area in enumerate(areas):
        where = f"areas[{index}]"
        if not isinstance(area, dict):
            problems.append(detail(where, "Must be an object"))
            continue
        bounds = area.get("bounds")
        keys = ("x", "y", "width", "height")
        if not isinstance(bounds, dict) or not all(_int(bounds.get(k)) for k in keys):
            problems.append(detail(f"{where}.bounds", "Must have integer x, y, width, height"))
        elif width and (
            bounds["x"] < 0
            or bounds["y"] < 0
            or bounds["width"] <= 0
            or bounds["height"] <= 0
            or bounds["x"] + bounds["width"] > width
            or bounds["y"] + bounds["height"] > height
        ):
            problems.append(detail(f"{where}.bounds", "Must lie within the rich menu"))
        problems += validate_action(area.get("action"), f"{where}.action", label_required=False)
    return problems


def validate_user_ids(value: Any) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_BULK_USERS:
        raise invalid_body([detail("userIds", f"Size must be between 1 and {MAX_BULK_USERS}")])
    bad = [i for i, user_id in enumerate(value) if not is_user_id(user_id)]
    if bad:
        raise invalid_body([detail(f"userIds[{i}]", "Must be a valid user ID") for i in bad])
    return list(value)


def image_size(data: bytes, media_type: str) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR or a JPEG's start-of-frame, without decoding it."""
    if media_type == "image/png":
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:2] != b"\xff\xd8":
        return None
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + length
    return None
