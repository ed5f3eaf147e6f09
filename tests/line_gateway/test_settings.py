"""Settings LINE constrains are brought into LINE's range rather than sent as is."""

from __future__ import annotations

from services.line_gateway.settings import LineGatewaySettings


def test_loading_seconds_and_batch_size_stay_within_lines_limits() -> None:
    assert LineGatewaySettings(loading_seconds=23).loading_animation_seconds == 25
    assert LineGatewaySettings(loading_seconds=1).loading_animation_seconds == 5
    assert LineGatewaySettings(loading_seconds=4242).loading_animation_seconds == 60
    assert LineGatewaySettings(multicast_batch_size=4242).multicast_batch == 500
    assert LineGatewaySettings(multicast_batch_size=0).multicast_batch == 1


def test_the_data_host_follows_the_api_host_unless_set() -> None:
    assert LineGatewaySettings().data_host == "https://api-data.line.me"
    simulated = LineGatewaySettings(api_base_url="http://127.0.0.1:8100")
    assert simulated.data_host == "http://127.0.0.1:8100"
    assert LineGatewaySettings(data_api_base_url="https://x").data_host == "https://x"
