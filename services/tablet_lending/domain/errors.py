"""Refusals with a stable reason code, an English message (APIs) and a Japanese one (staff).

API errors are English (`message`), as everywhere on the platform; staff screens and CSV reports
show `message_ja`. Raising one of these changes nothing: services raise before they write, or
inside a transaction that is then aborted.
"""

from __future__ import annotations


class LendingError(Exception):
    status_code = 422

    def __init__(self, reason: str, message: str, message_ja: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.message_ja = message_ja


class Refused(LendingError):
    """A rule of the programme refuses the request (ineligible, wrong state, ...)."""


class NotFound(LendingError):
    status_code = 404


class Conflict(LendingError):
    """The request contradicts what is already recorded (a second draw, a taken serial, ...)."""

    status_code = 409


def not_found(kind: str, kind_ja: str, key: str) -> NotFound:
    return NotFound(f"unknown_{kind}", f"No {kind} {key}.", f"{kind_ja}「{key}」が見つかりません。")
