"""The loop both chaos commands share: each plan announced, run in order, its row and details."""

from __future__ import annotations

import io

from bench.chaos import __main__ as chaos_command
from bench.chaos import failover
from bench.chaos.analysis import Outcome
from bench.chaos.driver import Table, drive, summary
from bench.chaos.scenario import Plan, Result


def result_of(plan: Plan) -> Result:
    return Result(
        plan=plan,
        outcome=Outcome(),
        acknowledged=0,
        after_redelivery=0,
        killed_at=None,
        back_at=None,
        reply_faults_left=0,
    )


async def test_each_plan_is_announced_run_in_order_and_followed_by_its_row_and_details() -> None:
    plans = [
        ("first", Plan(target="ai_chat", seniors=2, messages=3, interval=1.5)),
        ("second", Plan(target=None)),
    ]
    ran: list[str] = []

    async def run(name: str, plan: Plan) -> Result:
        ran.append(name)
        return result_of(plan)

    async def details(result: Result) -> list[str]:
        return [f"details of {result.plan.name}"]

    table = Table(
        header="| scenario | sent |", row=lambda r: f"| {r.plan.name} | 0 |", details=details
    )
    out = io.StringIO()
    results = await drive(plans, run, table, out)
    assert ran == ["first", "second"]
    assert [r.plan.name for r in results] == ["ai_chat", "no kill"]
    assert out.getvalue().splitlines() == [
        "scenario first: 2 seniors x 3 messages, one every 1.5 s each ...",
        "  | ai_chat | 0 |",
        "  details of ai_chat",
        "scenario second: 100 seniors x 10 messages, one every 8 s each ...",
        "  | no kill | 0 |",
        "  details of no kill",
    ]
    lines = summary(table, results, started=0.0).splitlines()
    assert lines[1:5] == ["| scenario | sent |", "|---|---|", "| ai_chat | 0 |", "| no kill | 0 |"]


def test_both_commands_tables_have_a_separator_cell_per_column() -> None:
    for header in (chaos_command.HEADER, failover.HEADER):
        table = Table(header=header, row=lambda r: "", details=chaos_command.details)
        assert table.separator().count("---") == header.count("|") - 1 == 10
