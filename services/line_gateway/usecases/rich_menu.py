"""Provisioning the rich menus through the Messaging API (domain/rich_menu.py defines and draws
them): LINE has our menus, the default is set, and linked seniors see theirs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.common.logging import get_logger
from services.common.store.outbox import Lease
from services.line_gateway.clients.messaging import LineApiError, LineMessaging
from services.line_gateway.domain.rich_menu import (
    BULK_LINK_SIZE,
    DEFAULT,
    LINKED,
    MENUS,
    definition,
    render,
    stale_menus,
)
from services.line_gateway.metrics import RICH_MENU
from services.line_gateway.store import LineUserRepository, RichMenuRepository

log = get_logger(__name__)

LEASE_NAME = "rich-menu-provisioning"
LEASE_TTL = timedelta(minutes=2)


class RichMenuProvisioner:
    """Makes sure LINE has our menus, the default is set, and linked seniors see theirs."""

    def __init__(
        self,
        *,
        menus: RichMenuRepository,
        users: LineUserRepository,
        lease: Lease,
        messaging: LineMessaging,
        retry_seconds: float,
    ) -> None:
        self._messaging = messaging
        self._menus = menus
        self._users = users
        # One instance provisions at a time, so two never race to replace each other's menus.
        self._lease = lease
        self._retry_seconds = retry_seconds
        self.ready = asyncio.Event()

    async def run(self) -> None:
        """Provision, retrying until it works (LINE or MongoDB may be unreachable at start)."""
        while True:
            try:
                if await self._lease.acquire_or_renew():
                    try:
                        await self.provision()
                    finally:
                        await self._lease.release()
                    self.ready.set()
                    return
            except (LineApiError, OSError, FileNotFoundError) as error:
                RICH_MENU.labels("provision", "error").inc()
                log.warning("rich menu provisioning failed; will retry", error=str(error))
            except Exception:
                RICH_MENU.labels("provision", "error").inc()
                log.exception("rich menu provisioning failed; will retry")
            await asyncio.sleep(self._retry_seconds)

    async def provision(self) -> dict[str, str]:
        existing = await self._messaging.rich_menus()
        ids: dict[str, str] = {}
        for audience in MENUS:
            menu = definition(audience)
            found = next((m.rich_menu_id for m in existing if m.name == menu.name), None)
            if found is None:
                found = await self._messaging.create_rich_menu(menu)
                RICH_MENU.labels("create", "ok").inc()
                log.info("rich menu created", audience=audience, name=menu.name)
            # A menu created by a run that stopped before uploading has no image yet.
            if not await self._messaging.has_rich_menu_image(found):
                image, media_type = render(audience)
                await self._messaging.upload_rich_menu_image(found, image, media_type)
                RICH_MENU.labels("upload_image", "ok").inc()
            await self._menus.save(audience=audience, rich_menu_id=found, name=menu.name)
            ids[audience] = found
        await self._messaging.set_default_rich_menu(ids[DEFAULT])
        # Re-linked at every start: cheap, and it heals links to menus that were replaced.
        linked = await self._users.linked_user_ids()
        for start in range(0, len(linked), BULK_LINK_SIZE):
            await self._messaging.link_rich_menu_bulk(
                user_ids=linked[start : start + BULK_LINK_SIZE], rich_menu_id=ids[LINKED]
            )
        for stale in stale_menus(existing):
            await self._messaging.delete_rich_menu(stale.rich_menu_id)
            RICH_MENU.labels("delete_stale", "ok").inc()
        RICH_MENU.labels("provision", "ok").inc()
        log.info("rich menus ready", default=ids[DEFAULT], linked=ids[LINKED], relinked=len(linked))
        return ids
