"""Fixtures the end-to-end tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from tests.fixtures.browser import chromium
from tests.tablet_lending.support import LendingApi
from tools.devstack.stack import Stack


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium per browser-test module, each page in a context of its own."""
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[LendingApi]:
    """The lending API signed in as an operator (day-to-day work, personal data audited)."""
    client = await LendingApi.signed_in(stack, "operator")
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def boss(stack: Stack) -> AsyncIterator[LendingApi]:
    """The lending API signed in as a supervisor (draws, exceptions, erasure)."""
    client = await LendingApi.signed_in(stack, "supervisor")
    try:
        yield client
    finally:
        await client.close()
