"""The failover tests' platform: the test stack in the devstack's cluster mode (`--cluster 3`),
Dai-chan answering through the OpenAI-compatible test server (its answers quote the senior, so
every answer is matched to its message even when it comes by push)."""

from __future__ import annotations

import pytest

from tests.ai_chat.stack_support import model_env
from tests.fixtures.stack import RUNNING_STACK
from tools.devstack.stack import CLUSTER_SIZE, Stack


@pytest.fixture(scope="session")
async def cluster(infra: Stack, request: pytest.FixtureRequest) -> Stack:
    assert infra.config.cluster == CLUSTER_SIZE, "the failover tests need --cluster 3"
    request.config.stash[RUNNING_STACK] = infra
    await infra.start_apps(env=model_env(infra), timeout=300)
    return infra
