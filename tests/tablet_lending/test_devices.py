"""Device state transitions: what a person may do by hand, and what only loans do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.events.contracts.lending import DeviceState
from services.tablet_lending.domain.devices import (
    MANUAL_TRANSITIONS,
    Accessories,
    Condition,
    Device,
    check_manual_transition,
)
from services.tablet_lending.domain.errors import Refused

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def device(state: DeviceState, loan: str | None = None) -> Device:
    return Device(
        device_id="OSL-T-0001",
        serial_number="SN123",
        model="tablet",
        accessories=Accessories(),
        state=state,
        condition=Condition.GOOD,
        current_loan_id=loan,
        registered_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize("here", list(DeviceState))
@pytest.mark.parametrize("there", list(DeviceState))
def test_every_pair_is_allowed_exactly_when_the_table_says(
    here: DeviceState, there: DeviceState
) -> None:
    allowed = there in MANUAL_TRANSITIONS[here]
    if allowed:
        check_manual_transition(device(here, "L-1" if here is DeviceState.ON_LOAN else None), there)
        return
    with pytest.raises(Refused) as refused:
        check_manual_transition(device(here, "L-1" if here is DeviceState.ON_LOAN else None), there)
    assert refused.value.message
    assert refused.value.message_ja


def test_refusals_say_what_to_do_instead() -> None:
    with pytest.raises(Refused, match=r"on loan \(L-9\); record its return or loss"):
        check_manual_transition(device(DeviceState.ON_LOAN, "L-9"), DeviceState.IN_STOCK)
    with pytest.raises(Refused, match="only by issuing a loan"):
        check_manual_transition(device(DeviceState.IN_STOCK), DeviceState.ON_LOAN)
    with pytest.raises(Refused, match="retired, which is final"):
        check_manual_transition(device(DeviceState.RETIRED), DeviceState.IN_STOCK)
    with pytest.raises(Refused, match="checked in repair first"):
        check_manual_transition(device(DeviceState.LOST), DeviceState.IN_STOCK)
    with pytest.raises(Refused, match="already in_repair"):
        check_manual_transition(device(DeviceState.IN_REPAIR), DeviceState.IN_REPAIR)


def test_missing_accessories() -> None:
    issued = Accessories(charger=True, case=True, sim=True)
    assert issued.missing_from(Accessories(charger=True, case=False, sim=False)) == ["case", "sim"]
    assert Accessories(sim=False).missing_from(Accessories(sim=False)) == []
