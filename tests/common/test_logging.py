"""Logged exceptions carry their formatted traceback, whoever logs them (our code or uvicorn)."""

import json
import logging

import pytest
import structlog

from services.common.logging import configure_logging, get_logger


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
