"""Each gateway role relays the outbox lane it writes, and every lane has a relay and a standby
in the split deployment, so neither process's death leaves committed events waiting."""

from __future__ import annotations

from services.line_gateway.app import outbox_lanes
from services.line_gateway.settings import GatewayRole


def test_each_split_role_relays_what_it_writes_and_stands_by_for_the_other() -> None:
    webhook, sender = outbox_lanes(GatewayRole.WEBHOOK), outbox_lanes(GatewayRole.SENDER)
    assert webhook.writes in webhook.relays
    assert sender.writes in sender.relays
    assert webhook.writes != sender.writes  # one lease each: they never wait for each other
    assert set(webhook.relays).isdisjoint(sender.relays)
    written = {webhook.writes, sender.writes, outbox_lanes(GatewayRole.ALL).writes}
    assert written <= set(webhook.relays) | set(sender.relays)  # nothing left unrelayed
    assert set(webhook.relays) <= set(sender.standby)
    assert set(sender.relays) <= set(webhook.standby)


def test_one_process_with_both_roles_relays_every_lane() -> None:
    every_lane = {
        lane
        for role in (GatewayRole.WEBHOOK, GatewayRole.SENDER)
        for lane in outbox_lanes(role).relays
    }
    assert set(outbox_lanes(GatewayRole.ALL).relays) == every_lane
    assert outbox_lanes(GatewayRole.ALL).standby == ()
