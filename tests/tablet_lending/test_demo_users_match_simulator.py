"""The simulator's demo seniors are the demo cohort's participants, with the same link codes."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_simulator_demo_users_carry_the_demo_cohorts_link_codes() -> None:
    seed = json.loads((ROOT / "services/tablet_lending/seed/demo.json").read_text("utf-8"))
    simulator = json.loads((ROOT / "tools/line_simulator/demo_users.json").read_text("utf-8"))
    seeded = {p["line_user_id"]: p["link_code"] for p in seed["people"] if p.get("line_user_id")}
    shown = {u["userId"]: u["linkCode"] for u in simulator["users"]}
    assert shown == seeded
    assert {u["cohort"] for u in simulator["users"]} == {seed["cohort"]["cohort_id"]}
