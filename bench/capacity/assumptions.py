"""Every stated assumption of the capacity model, in one place, each with its default and why.

Each field becomes a command-line option of `python -m bench.capacity` (underscores as dashes),
so any of them can be changed for a run; `--help` lists them with these explanations.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, fields

from bench.capacity import pricing


def _a(default: float, why: str) -> float:
    return field(default=default, metadata={"why": why})


@dataclass(frozen=True)
class Assumptions:
    active_share: float = _a(
        0.30,
        "friends who write to the account at least once in a month (active seniors); a chat "
        "companion is used by a minority of an official account's friends",
    )
    messages_per_active_day: float = _a(
        1.5,
        "messages an active senior sends per day, averaged over the month (a short exchange "
        "with Dai-chan most days)",
    )
    peak_hour_share: float = _a(
        0.12,
        "share of a day's messages in its busiest hour (seniors write most in the morning; "
        "0.12 is 2.9 times the hourly average)",
    )
    peak_second_factor: float = _a(
        3.0,
        "the busiest seconds of that hour against its average (arrivals bunch, e.g. after a "
        "multicast); instances are sized for this",
    )
    target_cpu_utilisation: float = _a(
        0.6, "share of one core an instance may use at peak before another is needed"
    )
    min_instances: float = _a(2, "instances of every service at least, for availability")
    push_share_of_answers: float = _a(
        0.03,
        "answers sent as a billable push because the free reply token had expired (a slow "
        "model, a retry after an outage)",
    )
    helpdesk_share: float = _a(0.02, "senior messages that end up with a person at the helpdesk")
    staff_pushes_per_ticket: float = _a(
        2.0, "staff answers per such ticket; they come later than a reply token lives: pushes"
    )
    checkin_share: float = _a(
        0.10, "active seniors who opted into Dai-chan's daily greeting (one push a day)"
    )
    borrowers: float = _a(
        1_640,
        "tablet borrowers (phases 2 and 3: about 840 + 800), capped at the friends; the "
        "lending programme does not grow with the LINE account",
    )
    reminders_per_borrower_month: float = _a(
        1.0,
        "lending's LINE reminders per borrower per month (14/7/1 days before the due date, "
        "overdue notes, session reminders: about six over a six-month loan)",
    )
    campaigns_per_month: float = _a(
        2.0, "programme news multicast to every friend each month (billed per recipient)"
    )
    blocked_share: float = _a(
        0.15, "friends who blocked the account: multicasts skip them, LINE does not bill them"
    )
    model_share: float = _a(
        0.9,
        "senior messages answered by the model (the rest get fixed safety or programme "
        "answers without a model call)",
    )
    input_tokens_per_turn: float = _a(
        0.0,
        "model input tokens per answered message, summaries included; 0 = as measured "
        "(persona, memory and history as ai_chat really sends them, counted by the test "
        "server's estimate of about one token per Japanese character)",
    )
    output_tokens_per_turn: float = _a(
        150,
        "model output tokens per answer, summaries included (Dai-chan writes a few short "
        "sentences; ai_chat caps an answer at 300)",
    )
    input_yen_per_million: float = _a(
        pricing.INPUT_YEN_PER_MILLION,
        "model input price, yen per million tokens (ai_chat's default: gpt-4o-mini's list "
        "price at 150 yen to the dollar)",
    )
    output_yen_per_million: float = _a(
        pricing.OUTPUT_YEN_PER_MILLION, "model output price, yen per million tokens (as above)"
    )
    model_latency_seconds: float = _a(
        2.0,
        "how long a model answer takes; with AI_CHAT_CONSUMER_MAX_IN_FLIGHT it bounds one "
        "ai_chat instance's messages per second",
    )
    kafka_brokers: float = _a(3, "Kafka brokers (deploy/kubernetes: 3)")
    kafka_replication: float = _a(3, "replicas of every topic (deploy/kubernetes: 3)")
    kafka_retention_days: float = _a(
        7, "retention of the working topics (deploy/kubernetes/base/kafka-topics.yaml)"
    )
    disk_headroom: float = _a(
        2.0, "disk provisioned per byte retained (growth, compaction, a broker's recovery)"
    )
    min_partitions: float = _a(12, "partitions per topic at least (deploy/kubernetes: 12)")
    days_per_month: float = _a(30, "days in a month")

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group("assumptions")
        for item in fields(cls):
            group.add_argument(
                "--" + item.name.replace("_", "-"),
                type=float,
                default=item.default,
                help=f"{item.metadata['why']} (default {item.default:g})",
            )

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> Assumptions:
        return cls(**{item.name: getattr(args, item.name) for item in fields(cls)})
