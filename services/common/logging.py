"""Structured logs with correlation ids and without personal data.

Every line is JSON (or console text in development) carrying the service name and, while an event
is being handled, its correlation id, event id and type. Seniors' personal data never belongs in a
log: code logs pseudonymous references (`user_ref`), and `drop_personal_fields` removes known
personal keys as a safety net should one slip into a log call anyway.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys that carry personal data or message content. Logging them is a bug; this list turns the bug
# into a redacted field instead of a leak.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "full_name",
        "display_name",
        "kana",
        "address",
        "phone",
        "phone_number",
        "email",
        "birthdate",
        "birth_date",
        "text",
        "message_text",
        "body",
        "user_id",
        "line_user_id",
        "reply_token",
        "picture_url",
    }
)
REDACTED = "[redacted]"


def user_ref(user_id: str) -> str:
    """A short stable pseudonym for a LINE user or participant id, safe to log and correlate."""
    return hashlib.sha256(user_id.encode()).hexdigest()[:12]


def traceback_without_messages(exc: BaseException) -> str:
    """`exc`'s traceback, its causes' included, naming each exception by its type only.

    For errors raised while handling someone's text: their message and args may quote it (a
    pydantic ValidationError echoes its input, a UnicodeDecodeError carries the bytes, our own
    errors may format a value in). The frames (file, line, function, source line) are code,
    never data, and are what finding the bug needs; exception notes are left out too.
    """
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts: list[str] = []
    for position, error in enumerate(reversed(chain)):
        if position:
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
                if error.__cause__ is not None
                else "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.extract_tb(error.__traceback__).format())
        kind = type(error)
        parts.append(f"{kind.__module__}.{kind.__qualname__} (message withheld)\n")
    return "".join(parts)


def drop_personal_fields(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in PERSONAL_KEYS.intersection(event_dict):
        event_dict[key] = REDACTED
    return event_dict


def configure_logging(*, service: str, level: str = "INFO", fmt: str = "json") -> None:
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer(colors=False)
        if fmt == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )

    def add_service(
        _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        event_dict.setdefault("service", service)
        return event_dict

    shared_processors: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        add_service,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        drop_personal_fields,
    ]
    structlog.configure(
        processors=[
            *shared_processors,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=True,
    )

    # Libraries (uvicorn, aiokafka, faust, pymongo) log through the standard library; route them
    # through the same renderer so a service writes one format.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                # A library's `log.exception` (uvicorn's "Exception in ASGI application") carries
                # the exc_info tuple; without this the renderer writes `<traceback object at …>`.
                structlog.processors.format_exc_info,
                renderer,
            ],
            foreign_pre_chain=[*shared_processors, structlog.stdlib.add_logger_name],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # These libraries are chatty at INFO about routine rebalances and connections.
    for noisy in ("aiokafka", "faust", "mode", "pymongo", "httpx", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
