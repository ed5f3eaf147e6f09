"""The rich menu: LINE's size, format and byte limit, big buttons, deterministic drawing."""

from __future__ import annotations

import io

from PIL import Image

from services.common.events.contracts.line import MAX_ACTION_LABEL_LENGTH
from services.line_gateway.domain.rich_menu import DEFAULT, LINKED, MENUS, definition, render


def test_the_image_is_lines_size_format_and_weight() -> None:
    for audience in MENUS:
        data, media_type = render(audience)
        image = Image.open(io.BytesIO(data))
        assert media_type == "image/png"
        assert image.format == "PNG"
        assert image.size == (2500, 1686)
        assert len(data) <= 1_000_000


def test_drawing_is_deterministic() -> None:
    assert render(LINKED) == render(LINKED)
    assert render(DEFAULT)[0] != render(LINKED)[0]


def test_four_big_buttons_fill_the_menu() -> None:
    menu = definition(LINKED)
    assert [a.data for a in menu.areas] == [
        "daichan:talk",
        "daichan:help",
        "daichan:my_loan",
        "daichan:sessions",
    ]
    assert sum(a.width * a.height for a in menu.areas) == 2500 * 1686
    assert all(len(a.label) <= MAX_ACTION_LABEL_LENGTH for a in menu.areas)
    assert len(menu.chat_bar_text) <= 14
    assert [a.data for a in definition(DEFAULT).areas][2] == "line:link_help"


def test_names_change_exactly_when_the_menu_does() -> None:
    assert definition(LINKED).name == definition(LINKED).name
    assert definition(LINKED).name != definition(DEFAULT).name
    assert definition(LINKED).name.startswith("sslp-linked-")
