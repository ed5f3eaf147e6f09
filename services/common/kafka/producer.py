"""The one way the platform produces to Kafka: idempotent, `acks=all`, keyed."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import AIOKafkaProducer


def create_producer(*, bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    # Idempotence keeps a retried send from writing a duplicate and keeps per-partition order;
    # acks=all means a send counts only once every in-sync replica has it.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15_000,
    )


Headers = Sequence[tuple[str, bytes]]
