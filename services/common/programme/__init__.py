"""One projection of `lending.events` (loans, sessions, bookings, enrolments, cohorts).

Each reader (ai_chat for Dai-chan's answers, the helpdesk for the context beside a ticket) keeps
its own copy in its own database, built by the same handlers (`handlers.py`) into the same
repository (`projection.py`); `views.py` holds the types it reads back (no driver, so domain code
may use them).
"""
