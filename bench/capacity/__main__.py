"""python -m bench.capacity [--measure] [assumptions...]: see bench/capacity/__init__.py."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bench.capacity import pricing
from bench.capacity.assumptions import Assumptions
from bench.capacity.measure import measure
from bench.capacity.model import estimate
from bench.capacity.report import measured_summary, month_table, table
from bench.capacity.simulate import compare, simulate

MEASURED = Path(__file__).with_name("measured.json")
MONTH = Path(__file__).with_name("month.json")
SCENARIOS = (
    ("today's programme", 1_640),
    ("100,000 friends", 100_000),
    ("2.4 million seniors", 2_400_000),
)


def comparison(
    result: dict[str, Any], assumptions: Assumptions, measured: dict[str, Any]
) -> list[dict[str, Any]]:
    return [
        {"quantity": name, "model": round(model, 1), "simulated": simulated}
        for name, model, simulated in compare(result, assumptions, measured)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.capacity",
        description="Capacity and cost for today's programme, 100,000 friends and 2.4 million "
        "seniors, from measured per-message costs and the stated assumptions.",
    )
    parser.add_argument("--measured", type=Path, default=MEASURED, help="the measured costs file")
    parser.add_argument(
        "--measure", action="store_true", help="measure this machine and write --measured"
    )
    parser.add_argument("--seniors", type=int, default=20, help="--measure: seniors at once")
    parser.add_argument(
        "--messages-per-senior", type=int, default=10, help="--measure: messages each senior sends"
    )
    parser.add_argument(
        "--timeout", type=float, default=180.0, help="--measure: seconds to wait for an answer"
    )
    parser.add_argument(
        "--friends", type=float, action="append", help="other numbers of friends to add as columns"
    )
    parser.add_argument(
        "--line-tiers",
        type=pricing.parse_tiers,
        default=pricing.LINE_EXTRA_TIERS,
        help='LINE standard plan per-message tiers, e.g. "50000:3,100000:2.8,inf:2.6"',
    )
    month = parser.add_argument_group("--simulate-month")
    month.add_argument(
        "--simulate-month",
        action="store_true",
        help="run a month of the programme on the real stack and compare it with the model",
    )
    month.add_argument("--month-file", type=Path, default=MONTH, help="where the result goes")
    month.add_argument(
        "--show-month",
        action="store_true",
        help="compare the month in --month-file with the model under these assumptions",
    )
    month.add_argument("--month-borrowers", type=int, default=800)
    month.add_argument("--month-linked-share", type=float, default=0.7, help="borrowers on LINE")
    month.add_argument(
        "--month-return-share", type=float, default=0.85, help="loans returned on their due day"
    )
    month.add_argument(
        "--month-chat-scale", type=float, default=0.25, help="share of the chat volume simulated"
    )
    month.add_argument("--month-days", type=int, default=30)
    month.add_argument("--month-sessions", type=int, default=4, help="follow-up sessions")
    month.add_argument("--month-booking-share", type=float, default=0.1, help="seniors who book")
    Assumptions.add_arguments(parser)
    args = parser.parse_args()
    if args.measure:
        result = asyncio.run(
            measure(
                seniors=args.seniors,
                messages_per_senior=args.messages_per_senior,
                timeout=args.timeout,
            )
        )
        args.measured.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {args.measured}")
    measured = json.loads(args.measured.read_text(encoding="utf-8"))
    assumptions = Assumptions.from_arguments(args)
    if args.show_month:
        result = json.loads(args.month_file.read_text(encoding="utf-8"))
        result["comparison"] = comparison(result, assumptions, measured)
        print(month_table(result))
        return 0
    if args.simulate_month:
        result = asyncio.run(
            simulate(
                borrowers=args.month_borrowers,
                linked_share=args.month_linked_share,
                return_share=args.month_return_share,
                chat_scale=args.month_chat_scale,
                days=args.month_days,
                sessions=args.month_sessions,
                booking_share=args.month_booking_share,
                timeout=args.timeout,
                a=assumptions,
                measured=measured,
            )
        )
        result["comparison"] = comparison(result, assumptions, measured)
        args.month_file.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(month_table(result))
        print(f"wrote {args.month_file}")
        return 0
    scenarios = [*SCENARIOS, *((f"{f:,.0f} friends", f) for f in args.friends or ())]
    estimates = [
        estimate(friends, assumptions, measured, args.line_tiers) for _, friends in scenarios
    ]
    print(table([name for name, _ in scenarios], estimates))
    print()
    print(measured_summary(measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
