"""The helpdesk's own metrics (labels: status, priority, channel, target, score; never an id)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# Response and resolution times in wall-clock seconds (the SLA clocks use business time).
_TIME_BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 432000, 864000)

TICKETS_OPENED = Counter(
    "sslp_helpdesk_tickets_opened_total",
    "Tickets opened, by channel and priority.",
    ["channel", "priority"],
)
TICKETS_REOPENED = Counter(
    "sslp_helpdesk_tickets_reopened_total",
    "Resolved tickets reopened because the senior wrote again or asked for a person again.",
    ["priority"],
)
REQUESTS_HANDLED = Counter(
    "sslp_helpdesk_requests_total",
    "Help requests from helpdesk.requests, by what became of them.",
    ["outcome"],
)
BACKLOG = Gauge(
    "sslp_helpdesk_backlog",
    "Tickets still needing the helpdesk, by status and priority.",
    ["status", "priority"],
)
OLDEST_WAITING_SECONDS = Gauge(
    "sslp_helpdesk_oldest_waiting_seconds",
    "How long the longest-waiting senior has waited for staff, by priority (0 if none waits).",
    ["priority"],
)
OLDEST_UNCLAIMED_SECONDS = Gauge(
    "sslp_helpdesk_oldest_unclaimed_seconds",
    "Age of the oldest open ticket nobody has claimed yet, by priority (0 if none).",
    ["priority"],
)
FIRST_RESPONSE_SECONDS = Histogram(
    "sslp_helpdesk_first_response_seconds",
    "From opening a ticket to the first public reply, by priority.",
    ["priority"],
    buckets=_TIME_BUCKETS,
)
# Beside the priority one rather than a label on it: keeps the priority series (and the rules
# and dashboards reading them) as they are, and the channel is what the mail channel asks about.
FIRST_RESPONSE_BY_CHANNEL_SECONDS = Histogram(
    "sslp_helpdesk_first_response_by_channel_seconds",
    "From opening a ticket to the first public reply, by channel (line, email, phone, ...).",
    ["channel"],
    buckets=_TIME_BUCKETS,
)
RESOLUTION_SECONDS = Histogram(
    "sslp_helpdesk_resolution_seconds",
    "From opening (or reopening) a ticket to resolving it, by priority.",
    ["priority"],
    buckets=_TIME_BUCKETS,
)
SLA_WARNINGS = Counter(
    "sslp_helpdesk_sla_warnings_total",
    "Tickets close to missing a service-level target, by target and priority.",
    ["target", "priority"],
)
SLA_BREACHES = Counter(
    "sslp_helpdesk_sla_breaches_total",
    "Tickets that missed a service-level target, by target and priority.",
    ["target", "priority"],
)
CSAT_RESPONSES = Counter(
    "sslp_helpdesk_csat_responses_total",
    "Satisfaction answers from seniors after a resolved ticket, by score (1-5).",
    ["score"],
)
REPLIES_SENT = Counter(
    "sslp_helpdesk_replies_total",
    "Public staff replies, by channel (LINE replies are sent to the senior).",
    ["channel"],
)
SAFETY_REVIEWS = Counter(
    "sslp_helpdesk_safety_reviews_total",
    "Messages staff marked for Dai-chan's safety routing, by label (missed, false_alarm) and route.",
    ["label", "route"],
)
LOGINS = Counter(
    "sslp_helpdesk_logins_total",
    "Staff sign-in attempts, by outcome.",
    ["outcome"],
)

MAIL_RECEIVED = Counter(
    "sslp_helpdesk_mail_received_total",
    "Mails read from the helpdesk's mailbox, by what became of them (new_ticket, join, "
    "join_and_reopen, duplicate, ignore, refuse).",
    ["action"],
)
MAIL_IGNORED = Counter(
    "sslp_helpdesk_mail_ignored_total",
    "Mails that made no ticket, by reason (auto_reply, bounce, bulk, loop, no_sender, too_large, "
    "rate).",
    ["reason"],
)
MAIL_REPLIES = Counter(
    "sslp_helpdesk_mail_replies_total",
    "Staff replies submitted by mail, by outcome (sent; retried: a temporary refusal, tried "
    "again later; failed: refused, or retries exhausted, shown on the ticket).",
    ["outcome"],
)
MAIL_ERRORS = Counter(
    "sslp_helpdesk_mail_errors_total",
    "Rounds of the mail intake that failed, by kind (mailbox: IMAP unreachable or refused; "
    "intake: our own error taking a mail, left unseen and read again; given_up: a mail whose "
    "intake failed HELPDESK_MAIL_MAX_INTAKE_ATTEMPTS times, recorded failed and not read again).",
    ["kind"],
)
CONTACT_CARDS = Counter(
    "sslp_helpdesk_contact_cards_total",
    "Seniors' contact cards asked of tablet_lending when a ticket is opened, by outcome "
    "(found, not_linked, not_found, unavailable).",
    ["outcome"],
)
PREFERRED_NAMES = Counter(
    "sslp_helpdesk_preferred_names_total",
    "The senior's 呼び名 asked of ai_chat beside the contact card, by outcome "
    "(found, none, no_line, unavailable).",
    ["outcome"],
)
QUEUE_NAMES = Counter(
    "sslp_helpdesk_queue_names_total",
    "Queue loads that asked tablet_lending for the registered names on the page, by outcome "
    "(found, unavailable).",
    ["outcome"],
)


def initialise() -> None:
    """Create every priority's series at zero, so dashboards see them before the first event."""
    for priority in ("urgent", "high", "normal", "low"):
        FIRST_RESPONSE_SECONDS.labels(priority)
        RESOLUTION_SECONDS.labels(priority)
        for target in ("first_response", "next_response", "resolution"):
            SLA_WARNINGS.labels(target, priority)
            SLA_BREACHES.labels(target, priority)
        for channel in ("line", "phone", "email", "ai_escalation", "device_issue"):
            TICKETS_OPENED.labels(channel, priority)
    for channel in ("line", "phone", "email", "ai_escalation", "device_issue"):
        FIRST_RESPONSE_BY_CHANNEL_SECONDS.labels(channel)
    for score in range(1, 6):
        CSAT_RESPONSES.labels(str(score))
    for action in ("new_ticket", "join", "join_and_reopen", "duplicate", "ignore", "refuse"):
        MAIL_RECEIVED.labels(action)
    for reason in ("auto_reply", "bounce", "bulk", "loop", "no_sender", "too_large", "rate"):
        MAIL_IGNORED.labels(reason)
    for outcome in ("sent", "retried", "failed"):
        MAIL_REPLIES.labels(outcome)
    for kind in ("mailbox", "intake", "given_up"):
        MAIL_ERRORS.labels(kind)
    _whom_staff_help()
    for label in ("missed", "false_alarm"):
        for route in ("emergency", "self_harm", "fraud", "person"):
            SAFETY_REVIEWS.labels(label, route)


def _whom_staff_help() -> None:
    for outcome in ("found", "not_linked", "not_found", "unavailable"):
        CONTACT_CARDS.labels(outcome)
    for outcome in ("found", "none", "no_line", "unavailable"):
        PREFERRED_NAMES.labels(outcome)
    for outcome in ("found", "unavailable"):
        QUEUE_NAMES.labels(outcome)
