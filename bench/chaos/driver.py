"""The loop both chaos commands share (`python -m bench.chaos`, `python -m bench.chaos.failover`):
announce each scenario, run it, print its row and what the command adds, then the table.

The commands differ in their plans, in how a plan is run (one process SIGKILLed, or a failover
of the cluster) and in what they print after the row; the announcing, the order and the closing
table with the machine's load are the same, so they live here once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from bench.chaos.scenario import Plan, Result


@dataclass(frozen=True)
class Table:
    """How a command prints its results: the table's header, a result's row, the lines after it."""

    header: str
    row: Callable[[Result], str]
    # Extra lines after a result's row (lost examples, timelines, lag), awaited once the run ended.
    details: Callable[[Result], Awaitable[list[str]]]

    def separator(self) -> str:
        return "|" + "---|" * (self.header.count("|") - 1)


def announce(name: str, plan: Plan) -> str:
    return (
        f"scenario {name}: {plan.seniors} seniors x {plan.messages} messages, "
        f"one every {plan.interval:g} s each ..."
    )


async def drive(
    plans: Sequence[tuple[str, Plan]],
    run: Callable[[str, Plan], Awaitable[Result]],
    table: Table,
    out: TextIO,
) -> list[Result]:
    """Run the named plans in order, printing each one's announcement, row and details."""
    results: list[Result] = []
    for name, plan in plans:
        out.write(f"{announce(name, plan)}\n")
        out.flush()
        result = await run(name, plan)
        results.append(result)
        out.write(f"  {table.row(result)}\n")
        for line in await table.details(result):
            out.write(f"  {line}\n")
        out.flush()
    return results


def summary(table: Table, results: Sequence[Result], *, started: float) -> str:
    """The results' table, with how long it all took and how loaded the machine was."""
    rows = "\n".join(table.row(result) for result in results)
    return (
        f"\n{table.header}\n{table.separator()}\n{rows}\n\n"
        f"({time.monotonic() - started:.0f} s in all; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores)\n"
    )
