"""The name a senior likes to be called (呼び名), read from ai_chat for one staff member.

It lives only in Dai-chan's memory; the helpdesk asks for it when a staff member opens a ticket,
with a token for ai_chat's one read (audience ai_chat, scope `ai_chat.preferred_name:read`, key
PREFERRED_NAME_SECRET), and passes it to the screen without keeping it. ai_chat down or slow is
`Unavailable` within the timeout: the card still shows what tablet_lending answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from services.common.auth import delegation
from services.helpdesk.clients.on_behalf import OnBehalfReads, Staff, Unavailable, json_object

__all__ = ["DaichanNames", "PreferredName", "Unavailable"]


@dataclass(frozen=True)
class PreferredName:
    name: str | None  # None: the senior told Dai-chan no name (or the memory was erased)


class DaichanNames(OnBehalfReads):
    NAME = "ai_chat preferred name"
    AUDIENCE = delegation.AI_CHAT

    async def preferred_name(
        self, line_user_id: str, *, staff: Staff
    ) -> PreferredName | Unavailable:
        """Raises delegation.NotAllowed for a staff member without a helpdesk role."""
        response = await self._client.request(
            "GET",
            f"/seniors/{quote(line_user_id, safe='')}/preferred-name",
            staff=staff,
            scope=delegation.PREFERRED_NAME_SCOPE,
        )
        if isinstance(response, Unavailable):
            return response
        body = json_object(response)
        if body is None or "preferred_name" not in body:
            return Unavailable("malformed")
        name = body["preferred_name"]
        if name is None or (isinstance(name, str) and name):
            return PreferredName(name)
        return Unavailable("malformed")
