"""Logged exceptions carry their formatted traceback, whoever logs them (our code or uvicorn)."""

import json
import logging
import traceback

import pytest
import structlog
from pydantic import TypeAdapter

from services.common.logging import configure_logging, get_logger, traceback_without_messages


@pytest.fixture(autouse=True)
def _restore_logging():
    """configure_logging changes process-wide state; leave it as the other tests found it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


def _explode() -> None:
    raise ValueError("boom from the handler")


def _lines(captured: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in captured.splitlines() if line.strip()]


@pytest.mark.parametrize("logger_name", ["uvicorn.error", "starlette", "services.x"])
def test_standard_library_exceptions_carry_the_traceback(
    logger_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(service="t", fmt="json")
    try:
        _explode()
    except ValueError:
        logging.getLogger(logger_name).exception("Exception in ASGI application")
    (line,) = _lines(capsys.readouterr().out)
    exception = str(line["exception"])
    assert "Traceback (most recent call last)" in exception
    assert "_explode" in exception
    assert "ValueError: boom from the handler" in exception
    assert "<traceback object" not in json.dumps(line)
    assert "exc_info" not in line


def test_structlog_exceptions_carry_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="t", fmt="json")
    try:
        _explode()
    except ValueError:
        get_logger("services.y").exception("handler failed")
    (line,) = _lines(capsys.readouterr().out)
    assert "_explode" in str(line["exception"])
    assert line["event"] == "handler failed"


def _validate(text: str) -> None:
    TypeAdapter(int).validate_python(text)


def _take(text: str) -> None:
    try:
        _validate(text)
    except ValueError as exc:
        raise RuntimeError(f"could not take {text}") from exc


def test_a_traceback_without_messages_keeps_the_frames_and_types_but_not_the_text() -> None:
    secret = "母の口座番号は 1234567 です"
    try:
        _take(secret)
    except RuntimeError as exc:
        error = exc
    full = "".join(traceback.format_exception(error))
    assert secret in full  # what plain exception logging would have written
    withheld = traceback_without_messages(error)
    assert secret not in withheld
    assert "1234567" not in withheld
    assert "_validate" in withheld
    assert "_take" in withheld
    assert "pydantic_core._pydantic_core.ValidationError (message withheld)" in withheld
    assert "builtins.RuntimeError (message withheld)" in withheld
    assert "direct cause" in withheld
    assert withheld.index("ValidationError") < withheld.index("RuntimeError")
