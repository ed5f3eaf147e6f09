"""The gateway's LINE client sends without reading the environment on each call (no ~/.netrc
lookup, no proxy from env), takes its proxy from settings, and closes every session it opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from services.line_gateway.clients.messaging import LineMessaging, sdk_client
from services.line_gateway.settings import LineGatewaySettings


async def test_calls_to_line_do_not_read_netrc_or_proxies_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []

    async def loading(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        return web.json_response({}, status=202)

    app = web.Application()
    app.router.add_post("/v2/bot/chat/loading/start", loading)
    async with TestServer(app, host="127.0.0.1") as server:
        netrc = tmp_path / "netrc"
        netrc.write_text("machine 127.0.0.1 login someone password from-netrc\n")
        netrc.chmod(0o600)
        monkeypatch.setenv("NETRC", str(netrc))
        # A proxy from the environment that does not exist: used, the call would fail.
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        messaging = LineMessaging(
            base_url=str(server.make_url("")).rstrip("/"), access_token="t", timeout_seconds=5
        )
        try:
            await messaging.show_loading(user_id="U" + "0" * 32, seconds=5)
        finally:
            await messaging.close()
    assert seen == ["Bearer t"]
    assert messaging._client.rest_client.pool_manager.closed
    assert messaging._pool.closed
    assert messaging._data_pool.closed


async def test_the_proxy_comes_from_settings_and_applies_to_https_hosts_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    proxy = LineGatewaySettings().line_api_proxy
    assert proxy == "http://proxy.example:3128"
    line, line_pool = sdk_client(host="https://api.line.me", access_token="t", proxy=proxy)
    local, local_pool = sdk_client(host="http://127.0.0.1:8100", access_token="t", proxy=proxy)
    try:
        assert line.rest_client.proxy == proxy
        assert local.rest_client.proxy is None
        assert not line.rest_client.pool_manager.trust_env
    finally:
        for client, pool in ((line, line_pool), (local, local_pool)):
            await client.close()
            await pool.close()
