"""How long checking one typed link code takes against N issued codes (each with its own salt).

The check runs inside the webhook's transaction, so it must stay far below LINE's 2-second
budget even with every participant of several cohorts holding a code.

    .venv/bin/python -m bench.line_link_codes [N ...]
"""

from __future__ import annotations

import secrets
import sys
import time
from datetime import timedelta

from services.common.time import utcnow
from services.line_gateway.domain.linking import code_hash, verify
from services.line_gateway.store.link_codes import LinkCode


def issued(count: int) -> list[LinkCode]:
    now = utcnow()
    codes = []
    for index in range(count):
        salt = secrets.token_hex(8)
        codes.append(
            LinkCode(
                code_sha256=code_hash(salt=salt, code=f"{index:08d}"),
                salt=salt,
                participant_id=f"P{index}",
                expires_at=now + timedelta(days=7),
                issued_at=now,
            )
        )
    return codes


def main(sizes: list[int]) -> None:
    for size in sizes:
        codes = issued(size)
        rounds = 20
        started = time.perf_counter()
        for _ in range(rounds):
            # A wrong code is the worst case: every candidate is hashed.
            verify(code="99999999", candidates=codes, now=utcnow(), linked_participant=None)
        per_check_ms = (time.perf_counter() - started) / rounds * 1000
        print(f"{size:>6} codes: {per_check_ms:7.2f} ms per check (wrong code, all hashed)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 2_000, 10_000])
