"""Tickets for the pure tests: a fresh ticket as the aggregate opens it, with fields overridden."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from services.common.calendar import BusinessCalendar
from services.common.events.contracts.helpdesk import Priority
from services.common.time import JST
from services.helpdesk.domain.change import TicketRules
from services.helpdesk.domain.parts import SYSTEM, Actor
from services.helpdesk.domain.sla import DEFAULT_TARGETS, SlaPolicy
from services.helpdesk.domain.ticket import NewTicket, Ticket
from services.helpdesk.domain.tickets import Category, Channel

RULES = TicketRules(
    policy=SlaPolicy(calendar=BusinessCalendar(), targets=DEFAULT_TARGETS),
    reopen_window=timedelta(hours=72),
    retention=timedelta(days=365),
)
MONDAY = datetime(2025, 6, 9, 10, 0, tzinfo=JST)  # an open day, inside business hours
LINE_USER = "U" + "0" * 32
TANAKA = Actor(id="s-tanaka", name="田中")
SUZUKI = Actor(id="s-suzuki", name="鈴木")
SATO = Actor(id="s-sato", name="佐藤", supervisor=True)


def about(**fields: Any) -> NewTicket:
    """A LINE senior's new ticket, normal priority, with `fields` changed."""
    return dataclasses.replace(
        NewTicket(
            channel=Channel.LINE,
            category=Category.OTHER,
            priority=Priority.NORMAL,
            summary="電話が かかりません",
            line_user_id=LINE_USER,
            participant_id=None,
            request_id="r-1",
        ),
        **fields,
    )


def opened(**fields: Any) -> Ticket:
    """The ticket as it is just after opening (fields as for `about`)."""
    return Ticket.open(
        RULES, about(**fields), ticket_id="t-1", number=1, now=MONDAY, actor=SYSTEM
    ).after


def ticket(**fields: Any) -> Ticket:
    """An opened ticket with `fields` set as a stored document would have them."""
    return Ticket.model_validate({**opened().model_dump(), **fields})
