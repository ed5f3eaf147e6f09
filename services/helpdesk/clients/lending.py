"""tablet_lending's contact card and the queue's names, asked for on behalf of one staff member.

One short-lived token per request (services.common.auth.delegation, audience tablet_lending,
one scope) names the staff member and the helpdesk; nothing read here is stored, cached or
logged: it goes from tablet_lending to the staff member's screen. A slow or absent lending
service answers `Unavailable` within the timeout instead of holding the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from services.common.auth import delegation
from services.helpdesk.clients.on_behalf import (
    OnBehalfReads,
    Staff,
    Unavailable,
    json_object,
    reason,
)

__all__ = ["Card", "LendingContacts", "Missing", "Names", "Unavailable"]


@dataclass(frozen=True)
class Card:
    values: dict[str, Any]  # tablet_lending's ContactCardOut, as it answered


@dataclass(frozen=True)
class Missing:
    """tablet_lending has no personal data for this participant (unknown or erased)."""

    reason: str


@dataclass(frozen=True)
class Names:
    """Registered names ("family given") by participant id; unknown and erased ones absent."""

    by_participant: dict[str, str]


Answer = Card | Missing | Unavailable


class LendingContacts(OnBehalfReads):
    NAME = "tablet_lending"
    AUDIENCE = delegation.LENDING

    async def card(
        self,
        participant_id: str,
        *,
        staff_id: str,
        staff_name: str,
        roles: tuple[str, ...],
        purpose: str,
    ) -> Answer:
        """The card as this staff member may see it; raises delegation.NotAllowed for a staff
        member without a helpdesk role (no token is made for them)."""
        response = await self._client.request(
            "GET",
            f"/participants/{quote(participant_id, safe='')}/contact",
            staff=Staff(staff_id, staff_name, roles, purpose),
            scope=delegation.CONTACT_CARD_SCOPE,
            accept=(200, 404),
        )
        if isinstance(response, Unavailable):
            return response
        if response.status_code == 404:
            return Missing(reason(response))
        values = json_object(response)
        return Card(values) if values is not None else Unavailable("malformed")

    async def names(self, participant_ids: list[str], *, staff: Staff) -> Names | Unavailable:
        """The registered names of these participants (one call for a whole queue page);
        raises delegation.NotAllowed like `card`."""
        response = await self._client.request(
            "POST",
            "/participants/names",
            staff=staff,
            scope=delegation.NAMES_SCOPE,
            json={"participant_ids": participant_ids},
        )
        if isinstance(response, Unavailable):
            return response
        body = json_object(response)
        rows = body.get("names") if body else None
        if not isinstance(rows, list):
            return Unavailable("malformed")
        found: dict[str, str] = {}
        for row in rows:
            if not isinstance(row, dict):
                return Unavailable("malformed")
            family, given = row.get("family_name"), row.get("given_name")
            participant = row.get("participant_id")
            if not (
                isinstance(participant, str) and isinstance(family, str) and isinstance(given, str)
            ):
                return Unavailable("malformed")
            found[participant] = f"{family} {given}".strip()
        return Names(found)
