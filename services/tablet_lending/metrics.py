"""tablet_lending's own metrics. Gauges carry the cohort only; never a participant or device."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

PARTICIPANTS = Gauge(
    "sslp_lending_participants",
    "Enrolled participants per cohort (withdrawn ones excluded).",
    ["cohort"],
)
PARTICIPANTS_BY_AREA = Gauge(
    "sslp_lending_participants_by_area",
    "Enrolled participants per cohort and area (the cohort's ward or city, by name).",
    ["cohort", "area"],
)
WAITLISTED = Gauge(
    "sslp_lending_waitlisted",
    "Eligible applicants waiting for a seat, per cohort.",
    ["cohort"],
)
LOANS_ACTIVE = Gauge(
    "sslp_lending_loans_active",
    "Tablets out on loan, per cohort.",
    ["cohort"],
)
LOANS_DUE_SOON = Gauge(
    "sslp_lending_loans_due_soon",
    "Active loans due within TABLET_LENDING_DUE_SOON_DAYS (not yet overdue), per cohort.",
    ["cohort"],
)
LOANS_OVERDUE = Gauge(
    "sslp_lending_loans_overdue",
    "Active loans past their due date, per cohort.",
    ["cohort"],
)
LOANS_RETURNED = Gauge(
    "sslp_lending_loans_returned",
    "Loans ended by a return (damaged returns included), per cohort.",
    ["cohort"],
)
LOANS_LOST = Gauge(
    "sslp_lending_loans_lost",
    "Loans ended because the tablet was lost, per cohort.",
    ["cohort"],
)
SESSION_FILL = Gauge(
    "sslp_lending_session_fill_ratio",
    "Seats taken (bookings and walk-ins) over capacity, across a cohort's sessions that are "
    "not cancelled.",
    ["cohort"],
)
SESSION_ATTENDANCE = Gauge(
    "sslp_lending_session_attendance_ratio",
    "Attended over registered (bookings and walk-ins), across a cohort's sessions that have "
    "started.",
    ["cohort"],
)
GAUGES = (
    PARTICIPANTS,
    PARTICIPANTS_BY_AREA,
    WAITLISTED,
    LOANS_ACTIVE,
    LOANS_DUE_SOON,
    LOANS_OVERDUE,
    LOANS_RETURNED,
    LOANS_LOST,
    SESSION_FILL,
    SESSION_ATTENDANCE,
)

REMINDERS = Counter(
    "sslp_lending_reminders_total",
    "Reminders and escalations sent, by kind (due, overdue, session) and channel "
    "(line, call_task, visit_task).",
    ["kind", "channel"],
)
BOOKINGS = Counter(
    "sslp_lending_line_bookings_total",
    "Bookings and cancellations asked for from LINE, by outcome (booked, cancelled, or the "
    "refusal reason).",
    ["outcome"],
)
IMPORT_ROWS = Counter(
    "sslp_lending_import_rows_total",
    "Rows of imported municipal files, by outcome (accepted, duplicate, refused).",
    ["outcome"],
)
ERASURES = Counter(
    "sslp_lending_participants_erased_total",
    "Participants whose personal data was erased, by trigger (retention, request).",
    ["trigger"],
)
SCHEDULER_RUNS = Counter(
    "sslp_lending_scheduler_runs_total",
    "Scheduler rounds, by outcome (ran, skipped_lease, failed).",
    ["outcome"],
)
