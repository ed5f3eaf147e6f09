"""The capacity table: one column per scenario, one row per figure, as Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bench.capacity.model import SERVICES, Estimate


def _n(value: float) -> str:
    """Few significant figures: the inputs are estimates."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.01:
        return f"{value:.2f}"
    return f"{value:.4f}"


Row = tuple[str, Callable[[Estimate], str]]


def _instances(name: str) -> Callable[[Estimate], str]:
    return lambda e: str(e.instances[name])


ROWS: tuple[Row, ...] = (
    ("LINE friends", lambda e: _n(e.friends)),
    ("active seniors (write in a month)", lambda e: _n(e.active)),
    ("senior messages per month", lambda e: _n(e.messages_month)),
    ("messages/s, peak hour", lambda e: _n(e.peak_per_second)),
    ("messages/s, peak seconds (sizing)", lambda e: _n(e.sizing_per_second)),
    *((f"instances: {name}", _instances(name)) for name in SERVICES),
    ("cores at peak, whole platform", lambda e: _n(e.platform_cores)),
    ("partitions per topic", lambda e: str(e.partitions)),
    ("Kafka records/s, peak hour", lambda e: _n(e.kafka_records_per_second)),
    ("Kafka MB/s in, peak hour (before replication)", lambda e: _n(e.kafka_mb_per_second)),
    (
        "Kafka disk per broker, GB (retention × replicas, headroom)",
        lambda e: _n(e.kafka_disk_gb_per_broker),
    ),
    ("MongoDB document writes/s, peak hour", lambda e: _n(e.mongo_writes_per_second)),
    ("MongoDB documents kept, millions", lambda e: _n(e.mongo_docs_millions)),
    ("MongoDB data + indexes kept, GB (per member)", lambda e: _n(e.mongo_data_gb)),
    ("MongoDB working set, GB", lambda e: _n(e.mongo_working_set_gb)),
    ("MongoDB growth without TTL, GB/month", lambda e: _n(e.mongo_growth_gb_month)),
    ("LINE replies per month (free)", lambda e: _n(e.replies_month)),
    ("LINE pushes per month (billable)", lambda e: _n(e.pushes_month)),
    ("LINE plan", lambda e: e.line_plan),
    ("LINE yen/month", lambda e: _n(e.line_yen)),
    ("model tokens per month, millions", lambda e: _n(e.model_tokens_millions)),
    ("model yen/month", lambda e: _n(e.model_yen)),
    ("LINE + model yen/month", lambda e: _n(e.total_yen)),
    ("yen per active senior per month", lambda e: _n(e.yen_per_active)),
)


def table(names: Sequence[str], estimates: Sequence[Estimate]) -> str:
    lines = [
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for label, cell in ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(e) for e in estimates) + " |")
    return "\n".join(lines)


def measured_summary(measured: dict[str, Any]) -> str:
    cpu = measured["cpu_ms_per_message"]
    per_senior = sum(
        c["docs_per_senior"]
        for c in measured["mongodb"]["collections"].values()
        if c["docs_per_senior"] <= 1.5
    )
    kafka = measured["kafka"]
    return "\n".join(
        [
            f"measured {measured['measured_at']} on {measured['machine']['cpu']}, "
            f"{measured['machine']['cores']} cores ({measured['command']}): "
            f"{measured['answered']}/{measured['messages']} answered from "
            f"{measured['seniors']} seniors in {measured['seconds']} s, load average "
            f"{measured['load_average']['before']}→{measured['load_average']['after']}",
            "CPU ms per senior message: "
            + ", ".join(f"{name} {cpu[name]:.1f}" for name in sorted(cpu)),
            "MongoDB per message: "
            f"{measured['mongodb']['inserted_per_message']:.1f} inserts, "
            f"{measured['mongodb']['updated_per_message']:.1f} updates, "
            f"{measured['mongodb']['transactions_per_message']:.1f} transactions; "
            f"{per_senior:.0f} documents per senior",
            "Kafka per message: "
            + ", ".join(
                f"{topic} {t['records_per_message']:.2f} × {t['bytes_per_record']:.0f} B"
                for topic, t in kafka.items()
            ),
        ]
    )


def month_table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['borrowers']} borrowers ({result['linked']} on LINE), {result['days']} days, "
        f"chat scale {result['chat_scale']:g}, {result['senior_messages']} senior messages "
        f"({result['answered']} answered), {result['returned_on_due_day']} loans returned on their "
        f"due day; {result['wall_minutes']} minutes",
        "",
        "| quantity | model | simulated |",
        "|---|---:|---:|",
    ]
    for row in result["comparison"]:
        lines.append(f"| {row['quantity']} | {_n(row['model'])} | {_n(row['simulated'])} |")
    return "\n".join(lines)
