"""Every service's API docs work with the network closed: Swagger UI (/docs) and ReDoc (/redoc)
load their files from the service itself (Debian's Chromium, every request to another host
refused), and each service root sends a browser to its page or its docs."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, Page, Route, expect

from tests.fixtures.browser import needs_chromium
from tools.devstack.stack import SERVICES, Stack

HOMES = {
    "line_gateway": "/docs",
    "ai_chat": "/docs",
    "helpdesk": "/staff/",
    "tablet_lending": "/console/",
}

pytestmark = needs_chromium


async def offline_page(browser: Browser) -> tuple[Page, list[str]]:
    """A page that can reach 127.0.0.1 only; what it tried to fetch elsewhere is listed."""
    context = await browser.new_context(locale="ja-JP")
    outside: list[str] = []

    async def closed_network(route: Route) -> None:
        if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}:
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort("internetdisconnected")

    await context.route("**/*", closed_network)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    return page, outside


@pytest.mark.parametrize("service", SERVICES)
async def test_swagger_ui_renders_the_operations_with_the_network_closed(
    browser: Browser, stack: Stack, service: str
) -> None:
    page, outside = await offline_page(browser)
    try:
        await page.goto(f"{stack.config.url(service)}/docs")
        await expect(page.locator(".swagger-ui .info .title")).to_contain_text(service)
        await expect(page.locator(".opblock-summary-path", has_text="/healthz")).to_be_visible()
        assert await page.locator(".opblock").count() >= 3  # healthz, readyz, metrics at least
        assert outside == []
    finally:
        await page.context.close()


async def test_redoc_renders_with_the_network_closed(browser: Browser, stack: Stack) -> None:
    page, _outside = await offline_page(browser)
    try:
        await page.goto(f"{stack.config.url('tablet_lending')}/redoc")
        # ReDoc's menu lists the API's tags; it asks for its logo elsewhere and does without.
        await expect(page.get_by_role("menuitem", name="loans")).to_be_visible()
        await expect(page.locator("h1", has_text="tablet_lending")).to_be_visible()
    finally:
        await page.context.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_the_service_root_sends_a_browser_to_its_page_or_its_docs(
    stack: Stack, service: str
) -> None:
    async with httpx.AsyncClient(base_url=stack.config.url(service)) as client:
        answer = await client.get("/")
        assert answer.status_code in (302, 307)
        assert answer.headers["location"] == HOMES[service]
        # The docs' files come from the service, and only the files it names.
        assert (await client.get("/docs/assets/swagger-ui-bundle.js")).status_code == 200
        assert (await client.get("/docs/assets/..%2F__init__.py")).status_code == 404
