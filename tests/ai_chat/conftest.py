"""Fixtures for ai_chat's own tests: a fresh database on the suite's real mongod, and the
OpenAI-compatible test server over real HTTP for the real `openai` SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import httpx
import pytest

from services.ai_chat.clients.model import ModelClient
from services.common.store import MongoStore
from tests.ai_chat.support import Harness, model_client
from tests.fixtures.servers import RunningServer, running
from tools.devstack.stack import Stack
from tools.openai_server.app import create_app as create_openai_server
from tools.openai_server.settings import OpenAIServerSettings


@pytest.fixture(scope="session")
def openai_test_server() -> Iterator[RunningServer]:
    with running(create_openai_server(OpenAIServerSettings())) as server:
        yield server


@pytest.fixture
async def model_control(openai_test_server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=openai_test_server.url, timeout=10) as client:
        (await client.post("/control/reset")).raise_for_status()
        yield client


@pytest.fixture
async def model(
    openai_test_server: RunningServer, model_control: httpx.AsyncClient
) -> AsyncIterator[ModelClient]:
    client = model_client(f"{openai_test_server.url}/v1")
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def store(infra: Stack) -> AsyncIterator[MongoStore]:
    store = MongoStore(
        uri=infra.mongo.uri, database=f"test_ai_chat_{uuid4().hex[:12]}", app_name="t"
    )
    try:
        yield store
    finally:
        await store.drop_database()
        await store.close()


@pytest.fixture
async def offline(store: MongoStore) -> Harness:
    harness = Harness(store, model=None)
    await harness.prepare()
    return harness


@pytest.fixture
async def online(store: MongoStore, model: ModelClient) -> Harness:
    harness = Harness(store, model=model)
    await harness.prepare()
    return harness
