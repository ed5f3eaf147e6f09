"""A retried reply whose first outcome is unknown: resent by push, or assumed delivered, by priority."""

from __future__ import annotations

import pytest

from services.common.events.contracts.line import SendPriority
from services.line_gateway.domain.delivery import UnknownReply, after_unknown_reply


@pytest.mark.parametrize(
    ("priority", "decision"),
    [
        (SendPriority.SAFETY, UnknownReply.RESEND_BY_PUSH),
        (SendPriority.SERVICE, UnknownReply.RESEND_BY_PUSH),
        (SendPriority.CONVERSATION, UnknownReply.RESEND_BY_PUSH),
        (SendPriority.LOW, UnknownReply.ASSUME_DELIVERED),
    ],
)
def test_silence_is_worse_than_a_rare_double_except_for_low_sends(
    priority: SendPriority, decision: UnknownReply
) -> None:
    assert after_unknown_reply(priority) is decision


def test_every_priority_has_a_decision() -> None:
    assert {after_unknown_reply(p) for p in SendPriority} == set(UnknownReply)
