"""Service-level targets on business hours, with Japanese public holidays.

Every ticket carries three clocks: first response (opening to the first public reply), next
response (each time the senior writes after that, to the next public reply) and resolution
(opening or reopening to resolving, paused while the ticket waits on the senior). Each clock has a
warning point and a due time in *business time*: only the helpdesk's hours on working days count,
so a ticket opened on Friday evening is not late on Saturday (`services.common.calendar`, the
calendar Dai-chan tells seniors the hours from). Targets come from settings.

The clocks are typed dictionaries (`Clock`, `SlaClocks`) stored as they are on the ticket
(`sla.<target>`), so the periodic checker can find what is due with a query, and pure functions
here compute them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from typing_extensions import TypedDict  # pydantic validates it only from here before 3.12

from services.common.calendar import BusinessCalendar
from services.common.events.contracts.helpdesk import Priority, SlaTarget


class Clock(TypedDict):
    """One target's clock: when it started, its warning point and due time, what was announced."""

    started_at: datetime
    cycle: int
    paused_seconds: float
    warn_at: datetime
    due_at: datetime
    met_at: datetime | None
    warned: bool
    breached: bool


class SlaClocks(TypedDict):
    """A ticket's three clocks; `paused_at` is set while the ticket waits on the senior."""

    first_response: Clock | None
    next_response: Clock | None
    resolution: Clock | None
    paused_at: datetime | None


def clock_of(sla: SlaClocks, target: SlaTarget) -> Clock | None:
    if target is SlaTarget.FIRST_RESPONSE:
        return sla["first_response"]
    if target is SlaTarget.NEXT_RESPONSE:
        return sla["next_response"]
    return sla["resolution"]


def with_clock(sla: SlaClocks, target: SlaTarget, clock: Clock | None) -> SlaClocks:
    """A copy of `sla` with `target`'s clock replaced."""
    updated = SlaClocks(**sla)
    if target is SlaTarget.FIRST_RESPONSE:
        updated["first_response"] = clock
    elif target is SlaTarget.NEXT_RESPONSE:
        updated["next_response"] = clock
    else:
        updated["resolution"] = clock
    return updated


def met(clock: Clock, at: datetime) -> Clock:
    stopped = Clock(**clock)
    stopped["met_at"] = at
    return stopped


@dataclass(frozen=True)
class Targets:
    """Minutes of business time per target."""

    first_response: float
    next_response: float
    resolution: float

    def minutes(self, target: SlaTarget) -> float:
        value: float = getattr(self, target.value)
        return value


DEFAULT_TARGETS: dict[Priority, Targets] = {
    Priority.URGENT: Targets(first_response=15, next_response=30, resolution=4 * 60),
    Priority.HIGH: Targets(first_response=60, next_response=120, resolution=8 * 60),
    Priority.NORMAL: Targets(first_response=4 * 60, next_response=8 * 60, resolution=24 * 60),
    Priority.LOW: Targets(first_response=8 * 60, next_response=16 * 60, resolution=40 * 60),
}


@dataclass(frozen=True)
class SlaPolicy:
    calendar: BusinessCalendar
    targets: dict[Priority, Targets]
    # A warning goes out when this share of the target's business time is left.
    warn_remaining_fraction: float = 0.25

    def clock(
        self,
        target: SlaTarget,
        priority: Priority,
        *,
        started_at: datetime,
        cycle: int,
        paused_seconds: float = 0.0,
    ) -> Clock:
        """A fresh clock for `target`, started at `started_at`."""
        budget = self.targets[priority].minutes(target) * 60
        return Clock(
            started_at=started_at,
            cycle=cycle,
            paused_seconds=paused_seconds,
            warn_at=self.calendar.add(
                started_at, budget * (1 - self.warn_remaining_fraction) + paused_seconds
            ),
            due_at=self.calendar.add(started_at, budget + paused_seconds),
            met_at=None,
            warned=False,
            breached=False,
        )

    def recompute(self, target: SlaTarget, priority: Priority, clock: Clock) -> Clock:
        """The same clock under another priority (or after a pause): new warning and due times."""
        budget = self.targets[priority].minutes(target) * 60
        paused = float(clock.get("paused_seconds", 0.0))
        started = clock["started_at"]
        updated = Clock(**clock)
        updated["warn_at"] = self.calendar.add(
            started, budget * (1 - self.warn_remaining_fraction) + paused
        )
        updated["due_at"] = self.calendar.add(started, budget + paused)
        return updated

    def opened(self, priority: Priority, at: datetime) -> SlaClocks:
        return SlaClocks(
            first_response=self.clock(SlaTarget.FIRST_RESPONSE, priority, started_at=at, cycle=1),
            next_response=None,
            resolution=self.clock(SlaTarget.RESOLUTION, priority, started_at=at, cycle=1),
            paused_at=None,
        )

    def reprioritised(self, sla: SlaClocks, priority: Priority) -> SlaClocks:
        updated = sla
        for target in SlaTarget:
            clock = clock_of(sla, target)
            if clock is not None and clock.get("met_at") is None:
                updated = with_clock(updated, target, self.recompute(target, priority, clock))
        return updated

    def paused(self, sla: SlaClocks, at: datetime) -> SlaClocks:
        if sla.get("paused_at") is not None:
            return sla
        updated = SlaClocks(**sla)
        updated["paused_at"] = at
        return updated

    def resumed(self, sla: SlaClocks, priority: Priority, at: datetime) -> SlaClocks:
        """Leave a pause: the resolution clock moves on by the business time spent waiting."""
        paused_at = sla.get("paused_at")
        if paused_at is None:
            return sla
        waited = self.calendar.seconds_between(paused_at, at)
        updated = SlaClocks(**sla)
        updated["paused_at"] = None
        clock = sla.get("resolution")
        if clock is not None and clock.get("met_at") is None:
            moved = Clock(**clock)
            moved["paused_seconds"] = float(clock.get("paused_seconds", 0.0)) + waited
            updated["resolution"] = self.recompute(SlaTarget.RESOLUTION, priority, moved)
        return updated

    def senior_wrote(self, sla: SlaClocks, priority: Priority, at: datetime) -> SlaClocks:
        """Start a next-response clock, unless the first response or one already runs."""
        first = sla.get("first_response")
        if first is None or first.get("met_at") is None:
            return sla
        running = sla.get("next_response")
        if running is not None and running.get("met_at") is None:
            return sla
        cycle = (running["cycle"] if running is not None else 0) + 1
        return with_clock(
            sla,
            SlaTarget.NEXT_RESPONSE,
            self.clock(SlaTarget.NEXT_RESPONSE, priority, started_at=at, cycle=cycle),
        )

    def staff_replied(self, sla: SlaClocks, at: datetime) -> tuple[SlaClocks, list[SlaTarget]]:
        """Stop the response clocks; return which targets this reply met."""
        updated = sla
        stopped: list[SlaTarget] = []
        for target in (SlaTarget.FIRST_RESPONSE, SlaTarget.NEXT_RESPONSE):
            clock = clock_of(sla, target)
            if clock is not None and clock.get("met_at") is None:
                updated = with_clock(updated, target, met(clock, at))
                stopped.append(target)
        return updated, stopped

    def resolved(self, sla: SlaClocks, priority: Priority, at: datetime) -> SlaClocks:
        updated = self.resumed(sla, priority, at)
        clock = updated.get("resolution")
        if clock is not None and clock.get("met_at") is None:
            updated = with_clock(updated, SlaTarget.RESOLUTION, met(clock, at))
        next_clock = updated.get("next_response")
        if next_clock is not None and next_clock.get("met_at") is None:
            # Resolving answers the senior too (the closing message).
            updated = with_clock(updated, SlaTarget.NEXT_RESPONSE, met(next_clock, at))
        return updated

    def reopened(self, sla: SlaClocks, priority: Priority, at: datetime) -> SlaClocks:
        previous = sla.get("resolution")
        updated = with_clock(
            sla,
            SlaTarget.RESOLUTION,
            self.clock(
                SlaTarget.RESOLUTION,
                priority,
                started_at=at,
                cycle=(previous["cycle"] if previous is not None else 0) + 1,
            ),
        )
        updated["paused_at"] = None
        return self.senior_wrote(updated, priority, at)
