"""Errors in LINE's own shape: {"message": ..., "details": [{"message", "property"}]}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from tools.line_simulator.validation import Detail

AUTHENTICATION_FAILED = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)
INVALID_REPLY_TOKEN = "Invalid reply token"  # noqa: S105 (an error message, not a secret)
RETRY_KEY_NOT_UUID = "The retry key must be a UUID"
RETRY_KEY_ACCEPTED = "The retry key is already accepted"
MONTHLY_LIMIT = "You have reached your monthly limit."
RATE_LIMITED = "The API rate limit has been exceeded. Try again later."
NOT_FOUND = "Not found"


class LineError(Exception):
    """An error answer, raised anywhere in the simulator and rendered by the app."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        details: list[Detail] | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message}
        if self.details:
            body["details"] = self.details
        body.update(self.extra)
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def invalid_body(details: list[Detail]) -> LineError:
    return LineError(400, f"The request body has {len(details)} error(s)", details=details)


def default_fault_body(status: int) -> dict[str, Any]:
    if status == 429:
        return {"message": RATE_LIMITED}
    if status >= 500:
        return {"message": "Internal server error (injected by the LINE simulator)"}
    return {"message": f"Injected fault: HTTP {status}"}
