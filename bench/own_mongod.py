"""A mongod of a bench's own: a one-member replica set in a temporary folder, on a free port."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from tools.devstack.stack import Stack, StackConfig


@dataclass(frozen=True)
class OwnMongod:
    uri: str
    pid: int  # for its CPU time (`bench.ai_chat_throughput.process_cpu_seconds`)


@asynccontextmanager
async def own_mongod() -> AsyncIterator[OwnMongod]:
    with tempfile.TemporaryDirectory(prefix="sslp-bench-") as folder:
        stack = Stack(StackConfig.isolated(Path(folder)))
        stack.mongo.start()
        try:
            await stack.mongo.wait_ready()
            pid = stack.mongo.process.pid
            assert pid is not None
            yield OwnMongod(uri=stack.mongo.uri, pid=pid)
        finally:
            stack.stop()
