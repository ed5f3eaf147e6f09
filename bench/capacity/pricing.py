"""What LINE and the model charge, as data the model's arithmetic reads.

LINE (Japan, LINE Official Account plans since the revision of 2023-06-01, yen excluding tax):

| plan | monthly fee | messages included | more messages |
|---|---|---|---|
| コミュニケーションプラン | 0 | 200 | not possible |
| ライトプラン | 5,000 | 5,000 | not possible |
| スタンダードプラン | 15,000 | 30,000 | billed per message, up to 3 yen, less per message the more are sent |

Sources (read 2026-12-01): LINE Yahoo for Business's plan page as quoted by
https://mico-inc.com/blog/line-official-account-price ("〜5万通までは3円/通、〜10万通までは2.8円/通",
revision of 2023-06-01), https://www.sharecoto.co.jp/linelab/?p=2958 and
https://ligla.jp/blog/line-official/messagenumber (the three plans, 2026), and
https://line-sm.com/blog/lineofficial_message_count/ (100,000 messages on the standard plan:
70,000 beyond the allowance cost 3 yen × 50,000 + 2.8 yen × 20,000 = 206,000 yen, i.e. the tiers
count the messages beyond the allowance). Only the first two tiers were confirmed in those pages;
the further steps below are LINE's long-published table as remembered, not re-read here: check
them against https://www.lycbiz.com/jp/service/line-official-account/plan/ before a budget
relies on them (`--line-tiers` replaces the table). Replies (reply tokens) are free on every plan;
pushes and multicasts count per recipient, blocked friends not.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.ai_chat.settings import AiChatSettings


@dataclass(frozen=True)
class LinePlan:
    name: str
    monthly_yen: float
    included: int
    extra_allowed: bool


LINE_PLANS = (
    LinePlan("communication (free)", 0.0, 200, extra_allowed=False),
    LinePlan("light", 5_000.0, 5_000, extra_allowed=False),
    LinePlan("standard", 15_000.0, 30_000, extra_allowed=True),
)

# (up to this many messages beyond the standard plan's allowance, yen per message); the last
# step has no upper bound.
LINE_EXTRA_TIERS: tuple[tuple[float, float], ...] = (
    (50_000, 3.0),  # confirmed (sources above)
    (100_000, 2.8),  # confirmed
    (200_000, 2.6),
    (500_000, 2.4),
    (1_000_000, 2.2),
    (2_000_000, 2.0),
    (3_000_000, 1.9),
    (4_000_000, 1.8),
    (5_000_000, 1.7),
    (6_000_000, 1.6),
    (7_000_000, 1.5),
    (8_000_000, 1.4),
    (10_000_000, 1.3),
    (30_000_000, 1.2),
    (50_000_000, 1.1),
    (float("inf"), 1.0),
)


def parse_tiers(text: str) -> tuple[tuple[float, float], ...]:
    """ "50000:3,100000:2.8,inf:2.6" -> the tier table."""
    tiers = []
    for part in text.split(","):
        upto, _, price = part.partition(":")
        tiers.append((float(upto), float(price)))
    if not tiers or tiers[-1][0] != float("inf"):
        raise ValueError("the last tier must be inf:<yen> (no upper bound)")
    return tuple(tiers)


def extra_messages_yen(extra: float, tiers: tuple[tuple[float, float], ...]) -> float:
    """Cost of `extra` messages beyond the standard plan's allowance, tier by tier."""
    cost, lower = 0.0, 0.0
    for upto, price in tiers:
        if extra <= lower:
            break
        cost += (min(extra, upto) - lower) * price
        lower = upto
    return cost


@dataclass(frozen=True)
class LineBill:
    plan: str
    yen: float


def line_bill(
    billable: float, tiers: tuple[tuple[float, float], ...] = LINE_EXTRA_TIERS
) -> LineBill:
    """The cheapest plan that can send `billable` messages in a month, and what it costs."""
    best: LineBill | None = None
    for plan in LINE_PLANS:
        if billable > plan.included and not plan.extra_allowed:
            continue
        yen = plan.monthly_yen + extra_messages_yen(max(billable - plan.included, 0.0), tiers)
        if best is None or yen < best.yen:
            best = LineBill(plan.name, yen)
    assert best is not None  # the standard plan takes any number
    return best


def _default(name: str) -> float:
    value = AiChatSettings.model_fields[name].default
    assert isinstance(value, int | float)
    return float(value)


# The model's prices: ai_chat's own defaults (gpt-4o-mini's list price at 150 yen to the dollar),
# so the estimate and the service's sslp_ai_model_cost_yen_total agree unless both are changed.
INPUT_YEN_PER_MILLION = _default("openai_input_yen_per_million_tokens")
OUTPUT_YEN_PER_MILLION = _default("openai_output_yen_per_million_tokens")
IN_FLIGHT_PER_AI_CHAT = int(_default("consumer_max_in_flight"))
