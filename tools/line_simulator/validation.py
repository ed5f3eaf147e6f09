"""LINE's request contract for the Messaging API calls the simulator accepts.

The checks mirror the documented limits closely enough that a gateway bug (six messages, an
over-long text, a fourteenth quick reply) fails here exactly as it would against LINE; shapes
the platform never sends (flex contents) are only checked loosely. Lengths are counted as LINE
counts them (services.common.line_text): texts in UTF-16 code units, labels in grapheme clusters.
The checks are our own reading of LINE's published OpenAPI specification (line/line-openapi,
messaging-api.yml) and reference: sender, quick-reply icons, clipboard, rich menu switch and
postback input options, alternative URIs, image carousel columns, imagemap sizes, text quotes and
emojis, and the request options (notificationDisabled, customAggregationUnits) included.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from services.common.events.contracts.line import (
    MAX_ACTION_LABEL_LENGTH,
    MAX_ACTION_TEXT_LENGTH,
    MAX_ALT_TEXT_LENGTH,
    MAX_MESSAGES_PER_REQUEST,
    MAX_POSTBACK_DATA_LENGTH,
    MAX_QUICK_REPLY_ITEMS,
    MAX_TEXT_LENGTH,
)
from services.common.line_text import grapheme_length, utf16_length

Detail = dict[str, str]

# Real LINE user ids are "U" + 32 hex digits; shorter ones ("U1") are accepted too so people can
# type ids by hand in demos and acceptance checks.
USER_ID = re.compile(r"^U[0-9A-Za-z]{1,64}$")
# Pushes and replies may also go to a group ("C...") or a room ("R...") the account is in.
CHAT_ID = re.compile(r"^[UCR][0-9A-Za-z]{1,64}$")
MAX_MULTICAST_RECIPIENTS = 500
MAX_URL_LENGTH = 2000
MAX_URI_ACTION_LENGTH = 1000
MAX_SENDER_NAME_LENGTH = 20
MAX_CLIPBOARD_TEXT_LENGTH = 1000
MAX_RICH_MENU_ALIAS_LENGTH = 32
MAX_EMOJIS = 20
POSTBACK_INPUT_OPTIONS = ("closeRichMenu", "openRichMenu", "openKeyboard", "openVoice")
AGGREGATION_UNIT = re.compile(r"^[a-zA-Z0-9_]{1,30}$")
URI_SCHEMES = ("http://", "https://", "line://", "tel:", "mailto:")

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
    value: Any,
    prop: str,
    *,
    min_length: int = 1,
    max_length: int | None = None,
    length: Callable[[str], int] = utf16_length,
) -> list[Detail]:
    if value is None:
        return [detail(prop, "Must not be null")]
    if not isinstance(value, str):
        return [detail(prop, "Must be a string")]
    size = length(value)
    if size < min_length or (max_length is not None and size > max_length):
        upper = max_length if max_length is not None else "∞"
        return [detail(prop, f"Length must be between {min_length} and {upper}")]
    return []


def _https_url(value: Any, prop: str) -> list[Detail]:
    problems = _string(value, prop, max_length=MAX_URL_LENGTH)
    if not problems and not str(value).startswith("https://"):
        problems.append(detail(prop, "Must be an HTTPS URL"))
    return problems


def _uri(value: Any, prop: str, *, max_length: int = MAX_URI_ACTION_LENGTH) -> list[Detail]:
    problems = _string(value, prop, max_length=max_length)
    if not problems and not str(value).startswith(URI_SCHEMES):
        problems.append(detail(prop, "Must be a URI (http, https, line, tel or mailto)"))
    return problems


def _optional(
    message: dict[str, Any], key: str, check: Callable[[Any], list[Detail]]
) -> list[Detail]:
    return check(message[key]) if message.get(key) is not None else []


def _boolean(value: Any, prop: str) -> list[Detail]:
    return [] if isinstance(value, bool) else [detail(prop, "Must be a boolean")]


def _one_of(value: Any, prop: str, allowed: tuple[str, ...]) -> list[Detail]:
    if value in allowed:
        return []
    return [detail(prop, f"Must be one of the following values: [{', '.join(allowed)}]")]


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


def _message_action(action: dict[str, Any], prop: str) -> list[Detail]:
    return _string(action.get("text"), f"{prop}.text", max_length=MAX_ACTION_TEXT_LENGTH)


def _uri_action(action: dict[str, Any], prop: str) -> list[Detail]:
    problems = _uri(action.get("uri"), f"{prop}.uri")
    alt = action.get("altUri")
    if alt is not None:
        if not isinstance(alt, dict):
            problems.append(detail(f"{prop}.altUri", "Must be an object"))
        else:
            problems += _uri(alt.get("desktop"), f"{prop}.altUri.desktop")
    return problems


def _clipboard_action(action: dict[str, Any], prop: str) -> list[Detail]:
    return _string(
        action.get("clipboardText"), f"{prop}.clipboardText", max_length=MAX_CLIPBOARD_TEXT_LENGTH
    )


def _rich_menu_switch_action(action: dict[str, Any], prop: str) -> list[Detail]:
    return _string(
        action.get("data"), f"{prop}.data", max_length=MAX_POSTBACK_DATA_LENGTH
    ) + _string(
        action.get("richMenuAliasId"),
        f"{prop}.richMenuAliasId",
        max_length=MAX_RICH_MENU_ALIAS_LENGTH,
    )


def _datetime_picker_action(action: dict[str, Any], prop: str) -> list[Detail]:
    problems = _string(action.get("data"), f"{prop}.data", max_length=MAX_POSTBACK_DATA_LENGTH)
    return problems + _one_of(action.get("mode"), f"{prop}.mode", ("date", "time", "datetime"))


def _postback_action(action: dict[str, Any], prop: str) -> list[Detail]:
    problems = _string(action.get("data"), f"{prop}.data", max_length=MAX_POSTBACK_DATA_LENGTH)
    for key in ("displayText", "fillInText"):
        if action.get(key) is not None:
            problems += _string(action[key], f"{prop}.{key}", max_length=MAX_ACTION_TEXT_LENGTH)
    if action.get("inputOption") is not None:
        problems += _one_of(action["inputOption"], f"{prop}.inputOption", POSTBACK_INPUT_OPTIONS)
    if action.get("fillInText") is not None and action.get("inputOption") != "openKeyboard":
        problems.append(detail(f"{prop}.fillInText", "Only allowed with inputOption openKeyboard"))
    return problems


_ACTION_CHECKS: dict[str, Callable[[dict[str, Any], str], list[Detail]]] = {
    "message": _message_action,
    "postback": _postback_action,
    "uri": _uri_action,
    "datetimepicker": _datetime_picker_action,
    "clipboard": _clipboard_action,
    "richmenuswitch": _rich_menu_switch_action,
}


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
        problems += _string(
            label, f"{prop}.label", max_length=MAX_ACTION_LABEL_LENGTH, length=grapheme_length
        )
    check = _ACTION_CHECKS.get(kind)
    return problems + (check(action, prop) if check is not None else [])


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
        if item.get("imageUrl") is not None:
            problems += _https_url(item["imageUrl"], f"{where}.imageUrl")
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
        columns = template.get("columns")
        problems += _list(columns, f"{prop}.columns", min_items=1, max_items=10)
        for index, column in enumerate(
            columns if isinstance(columns, list) and not problems else []
        ):
            where = f"{prop}.columns[{index}]"
            if not isinstance(column, dict):
                problems.append(detail(where, "Must be an object"))
                continue
            problems += _https_url(column.get("imageUrl"), f"{where}.imageUrl")
            # An image carousel's label is at most 12 characters (LINE's reference).
            action = column.get("action")
            problems += validate_action(action, f"{where}.action", label_required=False)
            if isinstance(action, dict) and action.get("label") is not None:
                problems += _string(
                    action["label"], f"{where}.action.label", max_length=12, length=grapheme_length
                )
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
    problems = _string(message.get("text"), f"{prop}.text", max_length=MAX_TEXT_LENGTH)
    problems += _optional(message, "quoteToken", lambda v: _string(v, f"{prop}.quoteToken"))
    emojis = message.get("emojis")
    if emojis is not None:
        listed = _list(emojis, f"{prop}.emojis", min_items=0, max_items=MAX_EMOJIS)
        problems += listed
        for index, emoji in enumerate(emojis if not listed else []):
            where = f"{prop}.emojis[{index}]"
            if not isinstance(emoji, dict):
                problems.append(detail(where, "Must be an object"))
                continue
            position = emoji.get("index")
            if isinstance(position, bool) or not isinstance(position, int) or position < 0:
                problems.append(detail(f"{where}.index", "Must be a non-negative integer"))
            problems += _string(emoji.get("productId"), f"{where}.productId")
            problems += _string(emoji.get("emojiId"), f"{where}.emojiId")
    return problems


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
    problems = _alt_text(message, prop) + _https_url(message.get("baseUrl"), f"{prop}.baseUrl")
    size = message.get("baseSize")
    if not isinstance(size, dict) or not all(
        isinstance(size.get(k), int) and not isinstance(size.get(k), bool)
        for k in ("width", "height")
    ):
        problems.append(detail(f"{prop}.baseSize", "Must have integer width and height"))
    problems += _list(message.get("actions"), f"{prop}.actions", min_items=1, max_items=50)
    return problems


def _sender(sender: Any, prop: str) -> list[Detail]:
    if not isinstance(sender, dict):
        return [detail(prop, "Must be an object")]
    problems = _optional(
        sender,
        "name",
        lambda v: _string(v, f"{prop}.name", max_length=MAX_SENDER_NAME_LENGTH),
    )
    problems += _optional(sender, "iconUrl", lambda v: _https_url(v, f"{prop}.iconUrl"))
    return problems


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
    problems += _optional(message, "sender", lambda v: _sender(v, f"{prop}.sender"))
    return problems


def validate_messages(messages: Any) -> list[Detail]:
    problems = _list(messages, "messages", min_items=1, max_items=MAX_MESSAGES_PER_REQUEST)
    if problems:
        return problems
    for index, message in enumerate(messages or []):
        problems += validate_message(message, f"messages[{index}]")
    return problems


def validate_options(body: dict[str, Any]) -> list[Detail]:
    """The request's own options beside the messages (reply, push and multicast)."""
    problems = _optional(
        body, "notificationDisabled", lambda v: _boolean(v, "notificationDisabled")
    )
    units = body.get("customAggregationUnits")
    if units is not None:
        listed = _list(units, "customAggregationUnits", min_items=0, max_items=1)
        problems += listed
        for index, unit in enumerate(units if not listed else []):
            if not isinstance(unit, str) or not AGGREGATION_UNIT.fullmatch(unit):
                problems.append(
                    detail(
                        f"customAggregationUnits[{index}]",
                        "Must be 1 to 30 letters, digits or underscores",
                    )
                )
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
