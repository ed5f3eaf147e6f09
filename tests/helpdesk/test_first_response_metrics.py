"""The first response is counted twice once committed: by priority (as it always was) and by
the channel the ticket came in on."""

from __future__ import annotations

from prometheus_client import REGISTRY

from services.helpdesk.domain.parts import Measure
from services.helpdesk.usecases.changes import record


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(f"{name}_count", labels) or 0.0


def test_a_first_response_is_observed_by_priority_and_by_channel() -> None:
    by_priority = ("sslp_helpdesk_first_response_seconds", {"priority": "urgent"})
    by_channel = ("sslp_helpdesk_first_response_by_channel_seconds", {"channel": "email"})
    before = (_count(by_priority[0], **by_priority[1]), _count(by_channel[0], **by_channel[1]))
    record(
        [
            Measure("first_response", ("urgent",), 120.0),
            Measure("first_response_by_channel", ("email",), 120.0),
        ]
    )
    after = (_count(by_priority[0], **by_priority[1]), _count(by_channel[0], **by_channel[1]))
    assert after == (before[0] + 1, before[1] + 1)
