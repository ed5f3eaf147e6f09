"""How a staff reply is signed in LINE: the desk and the person, within LINE's rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.common.events.contracts.line import MAX_SENDER_NAME_LENGTH, Sender
from services.helpdesk.domain.texts import DESK, staff_sender


def test_a_reply_is_signed_with_the_desk_and_the_staff_members_name() -> None:
    assert staff_sender("田中 (担当)").name == "ヘルプデスク　田中 (担当)"


def test_a_long_name_is_cut_to_what_line_shows() -> None:
    signed = staff_sender("とても長い名前の職員さんです本当に長い")
    assert len(signed.name) == MAX_SENDER_NAME_LENGTH
    assert signed.name.startswith("ヘルプデスク　")


def test_a_name_line_would_refuse_falls_back_to_the_desk() -> None:
    assert staff_sender("Line担当") == DESK


def test_the_contract_refuses_what_line_refuses() -> None:
    for bad in (
        {"name": "LINE公式"},
        {"name": ""},
        {"name": "x" * 21},
        {"name": "a", "icon_url": "http://x/i.png"},
    ):
        with pytest.raises(ValidationError):
            Sender.model_validate(bad)
