"""The gateway's two processes on the real stack each relay the outbox entries they wrote, under
their own lease: a senior's message leaves from the webhook process, its delivery record from the
sender, and neither process waits for (or fights over) the other's lease."""

from __future__ import annotations

from typing import Any

from services.common.store.mongo import OUTBOX_COLLECTION
from services.common.store.outbox import LEASES_COLLECTION, lease_name
from tests.fixtures.line import Simulator, new_user_id
from tests.fixtures.waiting import eventually
from tests.line_gateway.support import gateway_db
from tools.devstack.stack import GATEWAY_SENDER, Stack


async def test_each_gateway_process_relays_its_own_lane_under_its_own_lease(
    stack: Stack, simulator: Simulator
) -> None:
    user = new_user_id()
    await simulator.send_text(user, "こんにちは")
    await simulator.wait_for_inbox(user, count=1)  # Dai-chan answered: every hop went through

    async with gateway_db(stack) as db:

        async def entries() -> list[dict[str, Any]]:
            docs: list[dict[str, Any]] = await db[OUTBOX_COLLECTION].find({"key": user}).to_list()
            return docs

        found = await eventually(
            entries,
            lambda docs: (
                any(d["topic"] == "line.deliveries" for d in docs)
                and all(d["published_at"] is not None for d in docs)
            ),
        )

        async def leases() -> dict[str, str]:
            return {doc["_id"]: doc["owner"] async for doc in db[LEASES_COLLECTION].find({})}

        webhook_id = stack.apps["line_gateway"].env["INSTANCE_ID"]
        sender_id = stack.apps[GATEWAY_SENDER].env["INSTANCE_ID"]
        expected = {
            lease_name("webhook"): webhook_id,
            lease_name("sender"): sender_id,
            # Entries from before lanes, or from an `all` process: the sender relays them.
            lease_name(None): sender_id,
        }
        held = await eventually(leases, lambda found: found == expected)
    lanes = {(doc["topic"], doc["lane"]) for doc in found}
    assert ("line.inbound", "webhook") in lanes  # recorded and relayed by the webhook process
    assert ("line.deliveries", "sender") in lanes  # the send's outcome, by the sender
    assert all(doc["published_at"] is not None for doc in found)
    assert held == expected  # each process its own lease, none shared or fought over
