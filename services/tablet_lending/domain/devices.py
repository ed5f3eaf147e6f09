"""Tablets in the programme's inventory and the states they move through.

```
             issue a loan              return (good/worn)
 in_stock ───────────────▶ on_loan ───────────────────────▶ in_stock
    │  ▲                    │  │  return (damaged)
    │  └──── in_repair ◀────┘  └──▶ lost (loss reported)
    ▼            │                    │
 retired ◀───────┴────────────────────┘
```

`on_loan` is entered and left only through loans (issue, return, loss), so a device's state and
its loan never disagree; every other move is a manual transition checked here.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.common.events.contracts.lending import DeviceState
from services.tablet_lending.domain.errors import Refused

__all__ = ["Accessories", "Condition", "Device", "DeviceState", "check_manual_transition"]


class Condition(StrEnum):
    GOOD = "good"
    WORN = "worn"  # usable, with marks of use
    DAMAGED = "damaged"  # needs repair before it can be lent again


class Accessories(BaseModel):
    model_config = ConfigDict(frozen=True)

    charger: bool = True
    case: bool = True
    sim: bool = False

    def missing_from(self, returned: Accessories) -> list[str]:
        return [
            name
            for name in ("charger", "case", "sim")
            if getattr(self, name) and not getattr(returned, name)
        ]


ASSET_NUMBER = r"^[A-Z0-9][A-Z0-9-]{2,31}$"


class Device(BaseModel):
    model_config = ConfigDict(frozen=True)

    device_id: str = Field(pattern=ASSET_NUMBER, description="asset number, e.g. OSL-T-0001")
    serial_number: str = Field(min_length=3, max_length=64)
    model: str = Field(min_length=1, max_length=64)
    accessories: Accessories
    state: DeviceState
    condition: Condition
    current_loan_id: str | None = None
    registered_at: AwareDatetime
    updated_at: AwareDatetime


STATE_JA = {
    DeviceState.IN_STOCK: "在庫",
    DeviceState.ON_LOAN: "貸出中",
    DeviceState.IN_REPAIR: "修理中",
    DeviceState.LOST: "紛失",
    DeviceState.RETIRED: "廃棄済み",
}

# Manual moves only; on_loan is reached and left through loans.
MANUAL_TRANSITIONS: dict[DeviceState, frozenset[DeviceState]] = {
    DeviceState.IN_STOCK: frozenset({DeviceState.IN_REPAIR, DeviceState.LOST, DeviceState.RETIRED}),
    DeviceState.IN_REPAIR: frozenset({DeviceState.IN_STOCK, DeviceState.LOST, DeviceState.RETIRED}),
    # A lost tablet that turns up is checked and wiped (in repair) before it is lent again.
    DeviceState.LOST: frozenset({DeviceState.IN_REPAIR, DeviceState.RETIRED}),
    DeviceState.ON_LOAN: frozenset(),
    DeviceState.RETIRED: frozenset(),
}


def check_manual_transition(device: Device, to: DeviceState) -> None:
    """Refuse an illegal move with a message that says what to do instead."""
    here, there = device.state, to
    name = device.device_id
    if here == there:
        raise Refused(
            "same_state",
            f"Device {name} is already {here.value}.",
            f"端末 {name} はすでに「{STATE_JA[here]}」です。",
        )
    if here is DeviceState.ON_LOAN:
        raise Refused(
            "device_on_loan",
            f"Device {name} is on loan ({device.current_loan_id}); record its return or loss "
            "on the loan instead of changing its state.",
            f"端末 {name} は貸出中（{device.current_loan_id}）です。状態を変えるには、"
            "貸出の返却または紛失として記録してください。",
        )
    if there is DeviceState.ON_LOAN:
        raise Refused(
            "loan_required",
            f"Device {name} goes on loan only by issuing a loan (POST /loans).",
            f"端末 {name} を貸出中にするには、貸出を登録してください。",
        )
    if here is DeviceState.RETIRED:
        raise Refused(
            "device_retired",
            f"Device {name} is retired, which is final; it cannot become {there.value}.",
            f"端末 {name} は廃棄済みのため、「{STATE_JA[there]}」に戻せません。",
        )
    if there not in MANUAL_TRANSITIONS[here]:
        allowed = ", ".join(sorted(state.value for state in MANUAL_TRANSITIONS[here]))
        allowed_ja = "、".join(STATE_JA[state] for state in sorted(MANUAL_TRANSITIONS[here]))
        hint = (
            " A found device is checked in repair first."
            if here is DeviceState.LOST and there is DeviceState.IN_STOCK
            else ""
        )
        raise Refused(
            "illegal_transition",
            f"Device {name} cannot go from {here.value} to {there.value}; from {here.value} it "
            f"can go to {allowed}.{hint}",
            f"端末 {name} は「{STATE_JA[here]}」から「{STATE_JA[there]}」にできません"
            f"（できるのは {allowed_ja}）。",
        )
