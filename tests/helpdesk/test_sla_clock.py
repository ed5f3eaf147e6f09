"""Business-hours SLA clocks with Japanese public holidays, and the ticket state machine."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.common.calendar import BusinessCalendar
from services.common.events.contracts.helpdesk import (
    Priority,
    RequestReason,
    SlaTarget,
    TicketStatus,
)
from services.common.time import JST, parse_hours, parse_weekdays
from services.helpdesk.domain.sla import (
    DEFAULT_TARGETS,
    Clock,
    SlaClocks,
    SlaPolicy,
    clock_of,
)
from services.helpdesk.domain.tickets import (
    InvalidTransition,
    check_transition,
    effective_priority,
)
from services.helpdesk.settings import HelpdeskSettings

DESK = BusinessCalendar()  # 09:00-17:00 JST, Monday to Friday, holidays closed
POLICY = SlaPolicy(calendar=DESK, targets=DEFAULT_TARGETS)


def clock(sla: SlaClocks, target: str) -> Clock:
    found = clock_of(sla, SlaTarget(target))
    assert found is not None
    return found


def jst(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


def test_business_time_skips_nights_weekends_and_golden_week() -> None:
    # Friday 2 May 2025, 16:30: 30 minutes left that day; 3-6 May are public holidays
    # (憲法記念日, みどりの日, こどもの日, 振替休日), so the next hour ends on Wednesday 7 May.
    assert DESK.add(jst(2025, 5, 2, 16, 30), 3600) == jst(2025, 5, 7, 9, 30)
    assert DESK.seconds_between(jst(2025, 5, 2, 16, 30), jst(2025, 5, 7, 9, 30)) == 3600


def test_a_ticket_opened_at_night_starts_its_clock_at_nine() -> None:
    assert DESK.add(jst(2025, 6, 10, 22, 0), 15 * 60) == jst(2025, 6, 11, 9, 15)
    assert DESK.seconds_between(jst(2025, 6, 10, 17, 0), jst(2025, 6, 11, 9, 0)) == 0


def test_the_year_end_break_and_holidays_are_closed() -> None:
    assert not DESK.is_open_day(jst(2025, 12, 30, 0, 0).date())
    assert not DESK.is_open_day(jst(2026, 1, 2, 0, 0).date())
    assert not DESK.is_open_day(jst(2026, 11, 23, 0, 0).date())  # 勤労感謝の日, a Monday
    assert DESK.is_open_day(jst(2026, 11, 24, 0, 0).date())


def test_a_24_hour_desk_counts_calendar_time() -> None:
    always = BusinessCalendar(
        opens_minute=0, closes_minute=1440, weekdays=frozenset(range(7)), observe_holidays=False
    )
    start = jst(2025, 1, 1, 23, 0)
    assert always.add(start, 7200) == start + timedelta(hours=2)


def test_waiting_on_the_senior_pauses_the_resolution_clock() -> None:
    opened = jst(2025, 6, 9, 10, 0)  # Monday
    sla = POLICY.opened(Priority.HIGH, opened)  # resolution: 8 business hours
    assert clock(sla, "resolution")["due_at"] == jst(2025, 6, 10, 10, 0)

    paused = POLICY.paused(sla, jst(2025, 6, 9, 11, 0))
    resumed = POLICY.resumed(paused, Priority.HIGH, jst(2025, 6, 9, 14, 0))

    assert resumed["paused_at"] is None
    assert clock(resumed, "resolution")["paused_seconds"] == 3 * 3600
    assert clock(resumed, "resolution")["due_at"] == jst(2025, 6, 10, 13, 0)


def test_response_clocks_start_and_stop() -> None:
    opened = jst(2025, 6, 9, 10, 0)
    sla = POLICY.opened(Priority.URGENT, opened)
    assert clock(sla, "first_response")["due_at"] == jst(2025, 6, 9, 10, 15)
    assert clock(sla, "first_response")["warn_at"] < clock(sla, "first_response")["due_at"]
    # The senior writing before any reply starts no second clock.
    assert POLICY.senior_wrote(sla, Priority.URGENT, opened)["next_response"] is None

    replied, met = POLICY.staff_replied(sla, jst(2025, 6, 9, 10, 5))
    assert met == [SlaTarget.FIRST_RESPONSE]
    wrote = POLICY.senior_wrote(replied, Priority.URGENT, jst(2025, 6, 9, 10, 30))
    assert clock(wrote, "next_response")["due_at"] == jst(2025, 6, 9, 11, 0)
    assert clock(wrote, "next_response")["cycle"] == 1
    again, met = POLICY.staff_replied(wrote, jst(2025, 6, 9, 10, 40))
    assert met == [SlaTarget.NEXT_RESPONSE]
    second = POLICY.senior_wrote(again, Priority.URGENT, jst(2025, 6, 9, 11, 0))
    assert clock(second, "next_response")["cycle"] == 2


def test_raising_the_priority_brings_the_due_time_forward() -> None:
    opened = jst(2025, 6, 9, 10, 0)
    sla = POLICY.opened(Priority.NORMAL, opened)
    urgent = POLICY.reprioritised(sla, Priority.URGENT)
    assert clock(urgent, "first_response")["due_at"] == jst(2025, 6, 9, 10, 15)


def test_the_state_machine() -> None:
    check_transition(TicketStatus.NEW, TicketStatus.OPEN)
    check_transition(TicketStatus.OPEN, TicketStatus.WAITING_ON_SENIOR)
    check_transition(TicketStatus.WAITING_ON_SENIOR, TicketStatus.OPEN)
    check_transition(TicketStatus.RESOLVED, TicketStatus.OPEN)  # reopened
    check_transition(TicketStatus.RESOLVED, TicketStatus.CLOSED)
    for wrong in (
        (TicketStatus.CLOSED, TicketStatus.OPEN),
        (TicketStatus.NEW, TicketStatus.CLOSED),
        (TicketStatus.OPEN, TicketStatus.NEW),
    ):
        with pytest.raises(InvalidTransition):
            check_transition(*wrong)


def test_emergencies_and_self_harm_are_urgent_and_fraud_at_least_high() -> None:
    assert effective_priority(RequestReason.EMERGENCY, Priority.LOW) is Priority.URGENT
    assert effective_priority(RequestReason.SELF_HARM, Priority.NORMAL) is Priority.URGENT
    assert effective_priority(RequestReason.FRAUD_SUSPECTED, Priority.NORMAL) is Priority.HIGH
    assert effective_priority(RequestReason.FRAUD_SUSPECTED, Priority.URGENT) is Priority.URGENT
    assert effective_priority(RequestReason.PERSON_REQUESTED, Priority.LOW) is Priority.LOW


def test_settings_parse_hours_days_and_target_overrides() -> None:
    assert parse_hours("09:00-17:30") == (540, 1050)
    assert parse_weekdays("mon-fri,sun") == frozenset({0, 1, 2, 3, 4, 6})
    with pytest.raises(ValueError, match="business hours"):
        parse_hours("17:00-09:00")
    settings = HelpdeskSettings(sla_targets='{"urgent": {"first_response": 10}}')
    policy = settings.sla_policy()
    assert policy.targets[Priority.URGENT].first_response == 10
    assert policy.targets[Priority.URGENT].resolution == DEFAULT_TARGETS[Priority.URGENT].resolution


def production(**values: object) -> HelpdeskSettings:
    keys = {
        "session_secret": "x" * 40,
        "lending_contact_secret": "y" * 40,
        "preferred_name_secret": "z" * 40,
    }
    return HelpdeskSettings.model_validate({"environment": "production", **keys, **values})


def test_production_refuses_demo_accounts_placeholder_secrets_and_insecure_cookies() -> None:
    with pytest.raises(ValueError, match="HELPDESK_SESSION_SECRET"):
        HelpdeskSettings(environment="production")
    with pytest.raises(ValueError, match="LENDING_CONTACT_SECRET"):
        production(lending_contact_secret="dev-lending-contact-secret-not-for-production")
    with pytest.raises(ValueError, match="LENDING_CONTACT_SECRET needs at least 32"):
        production(lending_contact_secret="short")
    with pytest.raises(ValueError, match="PREFERRED_NAME_SECRET"):
        production(preferred_name_secret="dev-preferred-name-secret-not-for-production")
    with pytest.raises(ValueError, match="PREFERRED_NAME_SECRET needs at least 32"):
        production(preferred_name_secret="short")
    with pytest.raises(ValueError, match="DEMO_ACCOUNTS"):
        production(demo_accounts="a:b:agent")
    with pytest.raises(ValueError, match="COOKIE_SECURE"):
        production(cookie_secure=False)
    production_settings = production()
    assert production_settings.secure_cookies is True
    with pytest.raises(ValueError, match="SSO_PROXY_SECRET"):
        HelpdeskSettings(sso_username_header="X-User", sso_proxy_secret="short").check_startup()
    with pytest.raises(ValueError, match="business hours"):
        HelpdeskSettings(business_hours="all day").check_startup()
    assert HelpdeskSettings(environment="development").secure_cookies is False
