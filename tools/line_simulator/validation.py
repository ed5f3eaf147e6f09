"""LINE's request contract for the Messaging API calls the simulator accepts.

The checks mirror the documented limits closely enough that a gateway bug (six messages, an
over-long text, a fourteenth quick reply) fails here exactly as it would against LINE; shapes
the platform never sends (flex, imagemap) are only checked loosely.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from services.common.events.contracts.line import (
    MAX_ACTION_LABEL_LENGTH,
    MAX_MESSAGES_PER_REQUEST,
    MAX_POSTBACK_DATA_LENGTH,
    MAX_QUICK_REPLY_ITEMS,
    MAX_TEXT_LENGTH,
)

Detail = dict[str, str]

# Real LINE user ids are "U" + 32 hex digits; shorter ones ("U1") are accepted too so people can
# type ids by hand in demos and acceptance checks.
USER_ID = re.compile(r"^U[0-9A-Za-z]{1,64}$")
# Pushes and replies may also go to a group ("C...") or a room ("R...") the account is in.
CHAT_ID = re.compile(r"^[UCR][0-9A-Za-z]{1,64}$")
MAX_MULTICAST_RECIPIENTS = 500
MAX_ALT_TEXT_LENGTH = 400
MAX_ACTION_TEXT_LENGTH = 300

ACTION_TYPES = (
    "message",
    "postback",
    "uri",
    "datetimepicker",
    "camera",
    "cameraRoll",
    "location",
    "richmenuswitch",
    "clipboard",
)
# Quick-reply buttons that open the camera or location picker may leave the label to LINE.
ACTIONS_WITH_OPTIONAL_LABEL = ("camera", "cameraRoll", "location")
LOADING_SECONDS = range(5, 61, 5)


def detail(prop: str, message: str) -> Detail:
    return {"message": message, "property": prop}


def is_user_id(value: object) -> bool:
    return isinstance(value, str) and USER_ID.fullmatch(value) is not None


def is_chat_id(value: object) -> bool:
    return isinstance(value, str) and CHAT_ID.fullmatch(value) is not None


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    # uuid.UUID also accepts braces, URNs and bare hex; LINE wants the hyphenated form.
    return len(value) == 36


def _string(
    value: Any, prop: str, *, min_length: int = 1, max_length: int | None = None
) -> list[Detail]:
    if value is None:
        return [detail(prop, "Must not be null")]
    if not isinstance(value, str):
        return [detail(prop, "Must be a string")]
    if len(value) < min_length or (max_length is not None and len(value) > max_length):
        upper = max_length if max_length is not None else "∞"
        return [detail(prop, f"Length must be between {min_length} and {upper}")]
    return []


def _https_url(value: Any, prop: str) -> list[Detail]:
    problems = _string(value, prop, max_length=2000)
    if not problems and not str(value).startswith("https://"):
        problems.append(detail(prop, "Must be an HTTPS URL"))
    return problems


def _number(value: Any, prop: str) -> list[Detail]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return [detail(prop, "Must be a number")]
    return []


def _list(value: Any, prop: str, *, min_items: int, max_items: int) -> list[Detail]:
    if not isinstance(value, list):
        return [detail(prop, "Must be an array")]
    if not min_items <= len(value) <= max_items:
        return [detail(prop, f"Size must be between {min_items} and {max_items}")]
    return []


def validate_action(action: Any, prop: str, *, label_required: bool = True) -> list[Detail]:
    if not isinstance(action, dict):
        return [detail(prop, "Must be an object")]
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        return [
            detail(
                f"{prop}.type",
                f"Must be one of the following values: [{', '.join(ACTION_TYPES)}]",
            )
        ]
    problems: list[Detail] = []
    label = action.get("label")
    if label is not None or (label_required and kind not in ACTIONS_WITH_OPTIONAL_LABEL):
        problems += _string(label, f"{prop}.label", max_length=MAX_ACTION_LABEL_LENGTH)
    if kind == "message":
        problems += _string(action.get("text"), f"{prop}.text", max_length=MAX_ACTION_TEXT_LENGTH)
    elif kind == "postback":
        problems += _string(action.get("data"), f"{prop}.data", max_length=MAX_POSTBACK_DATA_LENGTH)
        if action.get("displayText") is not None:
            problems += _string(
                action["displayText"], f"{prop}.displayText", max_length=MAX_ACTION_TEXT_LENGTH
            )
    elif kind == "uri":
        problems += _string(action.get("uri"), f"{prop}.uri", max_length=1000)
    elif kind == "datetimepicker":
        problems += _string(action.get("data"), f"{prop}.data", max_length=MAX_POSTBACK_DATA_LENGTH)
        if action.get("mode") not in ("date", "time", "datetime"):
            problems.append(
                detail(
                    f"{prop}.mode", "Must be one of the following values: [date, time, datetime]"
                )
            )
    return problems


def _quick_reply(quick_reply: Any, prop: str) -> list[Detail]:
    if not isinstance(quick_reply, dict):
        return [detail(prop, "Must be an object")]
    items = quick_reply.get("items")
    problems = _list(items, f"{prop}.items", min_items=1, max_items=MAX_QUICK_REPLY_ITEMS)
    if problems:
        return problems
    for index, item in enumerate(items or []):
        where = f"{prop}.items[{index}]"
        if not isinstance(item, dict) or item.get("type", "action") != "action":
            problems.append(
                detail(f"{where}.type", "Must be one of the following values: [action]")
            )
            continue
        problems += validate_action(item.get("action"), f"{where}.action")
    return problems


def _template(template: Any, prop: str) -> list[Detail]:
    if not isinstance(template, dict):
        return [detail(prop, "Must be an object")]
    kind = template.get("type")
    problems: list[Detail] = []
    if kind == "buttons":
        # LINE allows 160 characters, or 60 once a title or an image takes room.
        limit = 60 if template.get("title") or template.get("thumbnailImageUrl") else 160
        problems += _string(template.get("text"), f"{prop}.text", max_length=limit)
        problems += _actions(template.get("actions"), f"{prop}.actions", min_items=1, max_items=4)
    elif kind == "confirm":
        problems += _string(template.get("text"), f"{prop}.text", max_length=240)
        problems += _actions(template.get("actions"), f"{prop}.actions", min_items=2, max_items=2)
    elif kind == "carousel":
        columns = template.get("columns")
        problems += _list(columns, f"{prop}.columns", min_items=1, max_items=10)
        if not problems:
            for index, column in enumerate(columns or []):
                where = f"{prop}.columns[{index}]"
                if not isinstance(column, dict):
                    problems.append(detail(where, "Must be an object"))
                    continue
                problems += _string(column.get("text"), f"{where}.text", max_length=120)
                problems += _actions(
                    column.get("actions"), f"{where}.actions", min_items=1, max_items=3
                )
    elif kind == "image_carousel":
        problems += _list(template.get("columns"), f"{prop}.columns", min_items=1, max_items=10)
    else:
        problems.append(
            detail(
                f"{prop}.type",
                "Must be one of the following values: [buttons, confirm, carousel, image_carousel]",
            )
        )
    return problems


def _actions(actions: Any, prop: str, *, min_items: int, max_items: int) -> list[Detail]:
    problems = _list(actions, prop, min_items=min_items, max_items=max_items)
    if problems:
        return problems
    for index, action in enumerate(actions or []):
        problems += validate_action(action, f"{prop}[{index}]")
    return problems


def _text_message(message: dict[str, Any], prop: str) -> list[Detail]:
    return _string(message.get("text"), f"{prop}.text", max_length=MAX_TEXT_LENGTH)


def _sticker_message(message: dict[str, Any], prop: str) -> list[Detail]:
    return _string(message.get("packageId"), f"{prop}.packageId") + _string(
        message.get("stickerId"), f"{prop}.stickerId"
    )


def _visual_message(message: dict[str, Any], prop: str) -> list[Detail]:
    return _https_url(message.get("originalContentUrl"), f"{prop}.originalContentUrl") + _https_url(
        message.get("previewImageUrl"), f"{prop}.previewImageUrl"
    )


def _audio_message(message: dict[str, Any], prop: str) -> list[Detail]:
    problems = _https_url(message.get("originalContentUrl"), f"{prop}.originalContentUrl")
    duration = message.get("duration")
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
        problems.append(detail(f"{prop}.duration", "Must be a positive integer"))
    return problems


def _location_message(message: dict[str, Any], prop: str) -> list[Detail]:
    return (
        _string(message.get("title"), f"{prop}.title", max_length=100)
        + _string(message.get("address"), f"{prop}.address", max_length=100)
        + _number(message.get("latitude"), f"{prop}.latitude")
        + _number(message.get("longitude"), f"{prop}.longitude")
    )


def _alt_text(message: dict[str, Any], prop: str) -> list[Detail]:
    return _string(message.get("altText"), f"{prop}.altText", max_length=MAX_ALT_TEXT_LENGTH)


def _template_message(message: dict[str, Any], prop: str) -> list[Detail]:
    return _alt_text(message, prop) + _template(message.get("template"), f"{prop}.template")


def _flex_message(message: dict[str, Any], prop: str) -> list[Detail]:
    problems = _alt_text(message, prop)
    contents = message.get("contents")
    if not isinstance(contents, dict) or contents.get("type") not in ("bubble", "carousel"):
        problems.append(
            detail(
                f"{prop}.contents.type", "Must be one of the following values: [bubble, carousel]"
            )
        )
    return problems


def _imagemap_message(message: dict[str, Any], prop: str) -> list[Detail]:
    return _alt_text(message, prop) + _https_url(message.get("baseUrl"), f"{prop}.baseUrl")


_MESSAGE_CHECKS: dict[str, Callable[[dict[str, Any], str], list[Detail]]] = {
    "text": _text_message,
    "textV2": _text_message,
    "sticker": _sticker_message,
    "image": _visual_message,
    "video": _visual_message,
    "audio": _audio_message,
    "location": _location_message,
    "imagemap": _imagemap_message,
    "template": _template_message,
    "flex": _flex_message,
}
MESSAGE_TYPES = tuple(_MESSAGE_CHECKS)


def validate_message(message: Any, prop: str) -> list[Detail]:
    if not isinstance(message, dict):
        return [detail(prop, "Must be an object")]
    kind = message.get("type")
    check = _MESSAGE_CHECKS.get(kind) if isinstance(kind, str) else None
    if check is None:
        return [
            detail(
                f"{prop}.type",
                f"Must be one of the following values: [{', '.join(MESSAGE_TYPES)}]",
            )
        ]
    problems = check(message, prop)
    if message.get("quickReply") is not None:
        problems += _quick_reply(message["quickReply"], f"{prop}.quickReply")
    return problems


def validate_messages(messages: Any) -> list[Detail]:
    problems = _list(messages, "messages", min_items=1, max_items=MAX_MESSAGES_PER_REQUEST)
    if problems:
        return problems
    for index, message in enumerate(messages or []):
        problems += validate_message(message, f"messages[{index}]")
    return problems


def validate_recipients(value: Any) -> list[Detail]:
    problems = _list(value, "to", min_items=1, max_items=MAX_MULTICAST_RECIPIENTS)
    if problems:
        return problems
    return [
        detail(f"to[{index}]", "Must be a valid user ID")
        for index, user_id in enumerate(value)
        if not is_user_id(user_id)
    ]


def validate_loading_seconds(value: Any) -> list[Detail]:
    if isinstance(value, bool) or not isinstance(value, int) or value not in LOADING_SECONDS:
        return [detail("loadingSeconds", "Must be a multiple of 5 between 5 and 60 (inclusive)")]
    return []
