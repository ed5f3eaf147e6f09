"""The capacity and cost arithmetic: measured costs per message × stated assumptions.

Pure functions of an `Assumptions`, the measured file's contents and a number of friends, so the
figures can be checked by hand and by tests. The numbers each answer:

- traffic: active seniors, senior messages per month, messages per second at the peak;
- services: instances each needs at the peak (CPU per message, and for ai_chat also the answers
  in flight while the model thinks), and the cores of the whole platform;
- Kafka: records and bytes per second at the peak, disk per broker for the retention, partitions;
- MongoDB: documents written per second, documents and bytes kept (per senior, and per message
  for as long as each collection's TTL keeps them), the working set, growth per month;
- LINE: free replies, billable pushes, the cheapest plan and its bill;
- the model: tokens and yen per month; and yen per active senior per month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bench.capacity import pricing
from bench.capacity.assumptions import Assumptions

SERVICES = ("line_gateway", "ai_chat", "helpdesk", "tablet_lending")
# A collection with at most this many new documents per new senior holds one per senior (the
# measurement has each senior send many messages, so per-message collections have far more).
PER_SENIOR_MAX_DOCS = 1.5
GB = 1e9


@dataclass(frozen=True)
class Collection:
    name: str
    per_senior: bool
    docs_per_unit: float  # per senior if per_senior, else per message
    bytes_per_doc: float  # data and indexes
    ttl_days: float | None


def collections(measured: dict[str, Any]) -> list[Collection]:
    found = []
    for name, stats in measured["mongodb"]["collections"].items():
        per_senior = stats["docs_per_senior"] <= PER_SENIOR_MAX_DOCS
        found.append(
            Collection(
                name=name,
                per_senior=per_senior,
                docs_per_unit=stats["docs_per_senior"] if per_senior else stats["docs_per_message"],
                bytes_per_doc=stats["bytes_per_doc"] + stats["index_bytes_per_doc"],
                ttl_days=stats["ttl_days"],
            )
        )
    return found


def input_tokens_per_turn(a: Assumptions, measured: dict[str, Any]) -> float:
    if a.input_tokens_per_turn > 0:
        return a.input_tokens_per_turn
    model = measured["model"]
    chats = model["calls_per_message"].get("chat", 0.0)
    return float(model["tokens_per_message"].get("input", 0.0)) / chats if chats else 0.0


def instances_for(load_per_second: float, capacity_per_second: float, minimum: float) -> int:
    if capacity_per_second <= 0:
        return int(minimum)
    return max(int(minimum), math.ceil(load_per_second / capacity_per_second))


@dataclass(frozen=True)
class Estimate:
    friends: float
    active: float
    messages_month: float
    peak_per_second: float
    sizing_per_second: float
    instances: dict[str, int]
    platform_cores: float
    partitions: int
    kafka_records_per_second: float
    kafka_mb_per_second: float
    kafka_disk_gb_per_broker: float
    mongo_writes_per_second: float
    mongo_docs_millions: float
    mongo_data_gb: float
    mongo_working_set_gb: float
    mongo_growth_gb_month: float
    mongo_bytes_per_senior: float
    mongo_bytes_per_message: float
    replies_month: float
    pushes_month: float
    line_plan: str
    line_yen: float
    model_tokens_millions: float
    model_yen: float

    @property
    def total_yen(self) -> float:
        return self.line_yen + self.model_yen

    @property
    def yen_per_active(self) -> float:
        return self.total_yen / self.active if self.active else 0.0


def estimate(
    friends: float,
    a: Assumptions,
    measured: dict[str, Any],
    tiers: tuple[tuple[float, float], ...] = pricing.LINE_EXTRA_TIERS,
) -> Estimate:
    days = a.days_per_month
    active = friends * a.active_share
    per_day = active * a.messages_per_active_day
    per_month = per_day * days
    peak = per_day * a.peak_hour_share / 3600
    sizing = peak * a.peak_second_factor

    # -- services: CPU per message as measured on this machine ----------------------------------
    cpu_ms = measured["cpu_ms_per_message"]
    core_capacity = a.target_cpu_utilisation * 1000
    instances = {
        name: instances_for(sizing * cpu_ms.get(name, 0.0), core_capacity, a.min_instances)
        for name in SERVICES
    }
    # ai_chat holds a message for the model's answer: in-flight / latency answers per second.
    in_flight_bound = pricing.IN_FLIGHT_PER_AI_CHAT / a.model_latency_seconds
    instances["ai_chat"] = max(
        instances["ai_chat"], instances_for(sizing, in_flight_bound, a.min_instances)
    )
    platform_cores = (
        sizing * sum(cpu_ms.get(name, 0.0) for name in (*SERVICES, "mongod", "kafka")) / 1000
    )
    partitions = max(int(a.min_partitions), math.ceil(max(instances.values()) / 6) * 6)

    # -- Kafka ---------------------------------------------------------------------------------
    topics = measured["kafka"].values()
    records_per_message = sum(t["records_per_message"] for t in topics)
    bytes_per_message = sum(t["records_per_message"] * t["bytes_per_record"] for t in topics)
    kafka_disk = (
        bytes_per_message
        * per_day
        * a.kafka_retention_days
        * a.kafka_replication
        / a.kafka_brokers
        * a.disk_headroom
    )

    # -- MongoDB -------------------------------------------------------------------------------
    mongo = measured["mongodb"]
    writes_per_message = (
        mongo["inserted_per_message"] + mongo["updated_per_message"] + mongo["deleted_per_message"]
    )
    kept_docs = kept_bytes = working = growth = per_senior_bytes = per_message_bytes = 0.0
    for c in collections(measured):
        size = c.docs_per_unit * c.bytes_per_doc
        if c.per_senior:
            # Upper bound: every friend has these documents (line_users does; Dai-chan's memory
            # only for those who talked in its retention period).
            kept_docs += c.docs_per_unit * friends
            kept_bytes += size * friends
            working += size * active
            per_senior_bytes += size
        elif c.ttl_days is not None:
            kept_docs += c.docs_per_unit * per_day * c.ttl_days
            kept_bytes += size * per_day * c.ttl_days
            working += size * per_day
            per_message_bytes += size
        else:
            growth += size * per_month
            working += size * per_day
            per_message_bytes += size

    # -- LINE -----------------------------------------------------------------------------------
    replies = per_month * (1 - a.push_share_of_answers)
    reachable = friends * (1 - a.blocked_share)
    pushes = (
        per_month * a.push_share_of_answers
        + per_month * a.helpdesk_share * a.staff_pushes_per_ticket
        + active * a.checkin_share * days
        + min(a.borrowers, friends) * a.reminders_per_borrower_month
        + reachable * a.campaigns_per_month
    )
    bill = pricing.line_bill(pushes, tiers)

    # -- the model ------------------------------------------------------------------------------
    turns = per_month * a.model_share
    tokens_in = turns * input_tokens_per_turn(a, measured)
    tokens_out = turns * a.output_tokens_per_turn
    model_yen = (tokens_in * a.input_yen_per_million + tokens_out * a.output_yen_per_million) / 1e6

    return Estimate(
        friends=friends,
        active=active,
        messages_month=per_month,
        peak_per_second=peak,
        sizing_per_second=sizing,
        instances=instances,
        platform_cores=platform_cores,
        partitions=partitions,
        kafka_records_per_second=peak * records_per_message,
        kafka_mb_per_second=peak * bytes_per_message / 1e6,
        kafka_disk_gb_per_broker=kafka_disk / GB,
        mongo_writes_per_second=peak * writes_per_message,
        mongo_docs_millions=kept_docs / 1e6,
        mongo_data_gb=kept_bytes / GB,
        mongo_working_set_gb=working / GB,
        mongo_growth_gb_month=growth / GB,
        mongo_bytes_per_senior=per_senior_bytes,
        mongo_bytes_per_message=per_message_bytes,
        replies_month=replies,
        pushes_month=pushes,
        line_plan=bill.plan,
        line_yen=bill.yen,
        model_tokens_millions=(tokens_in + tokens_out) / 1e6,
        model_yen=model_yen,
    )
