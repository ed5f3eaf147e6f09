"""tablet_lending's contact card, asked for on behalf of one staff member.

One short-lived token per request (services.common.auth.delegation) names the staff member and
the helpdesk; nothing read here is stored, cached or logged: the card goes from tablet_lending to
the staff member's screen. A slow or absent lending service answers `Unavailable` within the
timeout instead of holding the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from services.common.auth import delegation
from services.common.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Card:
    values: dict[str, Any]  # tablet_lending's ContactCardOut, as it answered


@dataclass(frozen=True)
class Missing:
    """tablet_lending has no personal data for this participant (unknown or erased)."""

    reason: str


@dataclass(frozen=True)
class Unavailable:
    """tablet_lending did not answer, or answered with something this client cannot use."""

    reason: str


Answer = Card | Missing | Unavailable


class LendingContacts:
    def __init__(
        self,
        *,
        base_url: str,
        secret: str,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._secret = secret
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout_seconds, transport=transport
        )

    async def close(self) -> None:
        await self._http.aclose()

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
        token = delegation.mint(
            staff_id=staff_id,
            staff_name=staff_name,
            roles=roles,
            purpose=purpose,
            secret=self._secret,
        )
        try:
            response = await self._http.get(
                f"/participants/{quote(participant_id, safe='')}/contact",
                headers={"authorization": f"Bearer {token}"},
            )
        except httpx.TimeoutException:
            log.warning("lending contact card timed out")
            return Unavailable("timeout")
        except httpx.HTTPError as exc:
            log.warning("lending contact card unreachable", error=type(exc).__name__)
            return Unavailable("unreachable")
        if response.status_code == 200:
            try:
                values = response.json()
            except ValueError:
                return Unavailable("malformed")
            if isinstance(values, dict):
                return Card(values)
            return Unavailable("malformed")
        if response.status_code == 404:
            return Missing(_reason(response))
        # A refusal of our own token is our misconfiguration (keys differ): say so in the logs,
        # never with the card's content (there is none).
        log.error(
            "lending contact card refused",
            status=response.status_code,
            reason=_reason(response),
        )
        return Unavailable(f"status_{response.status_code}")


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "unknown"
    reason = body.get("reason") if isinstance(body, dict) else None
    return str(reason)[:40] if reason else "unknown"
