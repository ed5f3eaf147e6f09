"""One clock for the platform: timezone-aware UTC, and Japan time where people see dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), name="JST")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """MongoDB returns naive datetimes that are UTC; make them aware again."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_hours(spec: str) -> tuple[int, int]:
    """ "09:00-17:00" -> (540, 1020); "00:00-24:00" is a 24-hour desk."""
    try:
        opens, closes = (part.strip() for part in spec.split("-"))
        minutes = [int(h) * 60 + int(m) for h, m in (value.split(":") for value in (opens, closes))]
    except ValueError as exc:
        raise ValueError(f"business hours must look like 09:00-17:00, not {spec!r}") from exc
    if not 0 <= minutes[0] < minutes[1] <= 24 * 60:
        raise ValueError(f"business hours {spec!r} must open before they close, within a day")
    return minutes[0], minutes[1]


_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_weekdays(spec: str) -> frozenset[int]:
    """ "mon-fri" or "mon,tue,sat" -> weekday numbers (0 = Monday)."""
    days: set[int] = set()
    for part in filter(None, (p.strip().lower() for p in spec.split(","))):
        first, _, last = part.partition("-")
        try:
            start = _DAY_NAMES.index(first)
            end = _DAY_NAMES.index(last) if last else start
        except ValueError as exc:
            raise ValueError(f"unknown weekday in {spec!r}; use mon..sun") from exc
        days.update(range(start, end + 1))
    if not days:
        raise ValueError("the helpdesk needs at least one working weekday")
    return frozenset(days)
