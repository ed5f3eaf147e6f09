"""tablet_lending's domain on a real mongod: a fresh database per test, dropped afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import uuid4

import pytest

from services.common.auth import AuditLog
from services.common.store import MongoStore
from services.common.store.outbox import outbox_indexes
from services.tablet_lending.store import LendingDb
from tools.devstack.stack import Stack


@pytest.fixture
async def db(infra: Stack) -> AsyncIterator[LendingDb]:
    store = MongoStore(uri=infra.mongo.uri, database=f"t_{uuid4().hex[:10]}", app_name="t")
    await store.ensure_indexes(
        [
            *LendingDb.indexes(),
            *outbox_indexes(timedelta(days=1)),
            AuditLog.indexes(retention=timedelta(days=1)),
        ]
    )
    try:
        yield LendingDb.on(store)
    finally:
        await store.drop_database()
        await store.close()


@pytest.fixture
def audit(db: LendingDb) -> AuditLog:
    return AuditLog(db.store)
