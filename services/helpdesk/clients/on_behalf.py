"""One HTTP client for the helpdesk's reads on a staff member's behalf (tablet_lending, ai_chat).

Each request carries its own short-lived token (services.common.auth.delegation) for one audience
and one scope. Nothing read is stored, cached or logged here. A slow or absent service answers
`Unavailable` within the timeout instead of holding the staff page; a refusal of our own token is
our misconfiguration (keys differ) and is logged, never with any content (there is none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from services.common.auth import delegation
from services.common.logging import get_logger

log = get_logger(__name__)

KEEPALIVE_EXPIRY_SECONDS = 2.0  # below uvicorn's timeout_keep_alive (5 s)


@dataclass(frozen=True)
class Unavailable:
    """The service did not answer, or answered with something this client cannot use."""

    reason: str


@dataclass(frozen=True)
class Staff:
    """The staff member the helpdesk asks for, and why (the purpose lands in the audit entry)."""

    staff_id: str
    staff_name: str
    roles: tuple[str, ...]
    purpose: str


class OnBehalfClient:
    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        secret: str,
        audience: str,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._name = name  # for the logs: "tablet_lending", "ai_chat preferred name"
        self._secret = secret
        self._audience = audience
        # Idle connections are dropped before the services' uvicorn closes them (5 s keep-alive):
        # with httpx's default expiry, also 5 s, a request could go out on a connection the
        # server was closing that instant and fail ("Server disconnected"), a staff page then
        # saying unavailable for nothing.
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout_seconds,
            transport=transport,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS),
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        staff: Staff,
        scope: str,
        json: Any = None,
        accept: tuple[int, ...] = (200,),
    ) -> httpx.Response | Unavailable:
        """The response if its status is in `accept`, else Unavailable; raises
        delegation.NotAllowed for a staff member without a helpdesk role (no token, no request)."""
        token = delegation.mint(
            staff_id=staff.staff_id,
            staff_name=staff.staff_name,
            roles=staff.roles,
            purpose=staff.purpose,
            secret=self._secret,
            audience=self._audience,
            scope=scope,
        )
        try:
            response = await self._http.request(
                method, path, json=json, headers={"authorization": f"Bearer {token}"}
            )
        except httpx.TimeoutException:
            log.warning(f"{self._name} timed out")
            return Unavailable("timeout")
        except httpx.HTTPError as exc:
            log.warning(f"{self._name} unreachable", error=type(exc).__name__)
            return Unavailable("unreachable")
        if response.status_code in accept:
            return response
        log.error(f"{self._name} refused", status=response.status_code, reason=reason(response))
        return Unavailable(f"status_{response.status_code}")


class OnBehalfReads:
    """A client for one service's reads on a staff member's behalf (DaichanNames,
    LendingContacts): a subclass names the service for the logs and the token's audience, and
    adds its reads on `self._client`."""

    NAME: ClassVar[str]
    AUDIENCE: ClassVar[str]

    def __init__(
        self,
        *,
        base_url: str,
        secret: str,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = OnBehalfClient(
            name=self.NAME,
            base_url=base_url,
            secret=secret,
            audience=self.AUDIENCE,
            timeout_seconds=timeout_seconds,
            transport=transport,
        )

    async def close(self) -> None:
        await self._client.close()


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        values = response.json()
    except ValueError:
        return None
    return values if isinstance(values, dict) else None


def reason(response: httpx.Response) -> str:
    body = json_object(response)
    found = body.get("reason") if body else None
    return str(found)[:40] if found else "unknown"
