"""Fixtures for the simulators' own tests; the helpers live in tests/fixtures/servers.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import openai
import pytest
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

from tests.fixtures.servers import (
    ACCESS_TOKEN,
    CHANNEL_SECRET,
    RunningServer,
    WebhookReceiver,
    running,
    simulator_settings,
)
from tools.line_simulator.app import create_app as create_simulator
from tools.openai_server.app import create_app as create_openai_server
from tools.openai_server.settings import OpenAIServerSettings


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[tuple[WebhookReceiver, RunningServer]]:
    receiver = WebhookReceiver(channel_secret=CHANNEL_SECRET)
    with running(receiver.app()) as server:
        yield receiver, server


@pytest.fixture
def receiver(receiver_server: tuple[WebhookReceiver, RunningServer]) -> WebhookReceiver:
    receiver, _ = receiver_server
    with receiver.lock:
        receiver.received.clear()
    receiver.answer_status = 200
    return receiver


@pytest.fixture(scope="session")
def simulator_server(
    receiver_server: tuple[WebhookReceiver, RunningServer],
) -> Iterator[RunningServer]:
    _, receiver = receiver_server
    app = create_simulator(simulator_settings(f"{receiver.url}/callback"))
    with running(app) as server:
        yield server


@pytest.fixture
async def sim(
    simulator_server: RunningServer, receiver: WebhookReceiver
) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the simulator's control API, on a freshly reset simulator."""
    async with httpx.AsyncClient(base_url=simulator_server.url, timeout=10) as client:
        (await client.post("/sim/reset")).raise_for_status()
        yield client


@pytest.fixture
async def line_api(simulator_server: RunningServer) -> AsyncIterator[AsyncMessagingApi]:
    """line-bot-sdk's async Messaging API client pointed at the simulator."""
    client = AsyncApiClient(Configuration(host=simulator_server.url, access_token=ACCESS_TOKEN))
    try:
        yield AsyncMessagingApi(client)
    finally:
        await client.close()


@pytest.fixture(scope="session")
def openai_server() -> Iterator[RunningServer]:
    with running(create_openai_server(OpenAIServerSettings())) as server:
        yield server


@pytest.fixture
async def openai_control(openai_server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=openai_server.url, timeout=10) as client:
        (await client.post("/control/reset")).raise_for_status()
        yield client


@pytest.fixture
async def openai_client(
    openai_server: RunningServer, openai_control: httpx.AsyncClient
) -> AsyncIterator[openai.AsyncOpenAI]:
    client = openai.AsyncOpenAI(
        base_url=f"{openai_server.url}/v1", api_key="test", max_retries=0, timeout=10
    )
    try:
        yield client
    finally:
        await client.close()
