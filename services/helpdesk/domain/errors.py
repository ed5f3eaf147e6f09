"""Why a change to a ticket was refused; the API maps each to its status code."""

from __future__ import annotations

from pydantic import JsonValue


class TicketError(Exception):
    status_code = 400

    def __init__(self, message: str, **details: JsonValue) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class TicketNotFound(TicketError):
    status_code = 404


class StaleVersion(TicketError):
    status_code = 409


class ClaimedByOther(TicketError):
    status_code = 409


class NotAllowed(TicketError):
    status_code = 409


class NeedsSupervisor(TicketError):
    status_code = 403
