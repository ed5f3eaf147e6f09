"""line_gateway's own metrics (the shared ones are in services.common.metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

USERS = Gauge(
    "sslp_line_users",
    "LINE users of the account by state: following (friends), blocked (unfollowed), linked "
    "(friends linked to a participant). Counted from MongoDB: aggregate with max.",
    ["state"],
)
WEBHOOK_EVENTS = Counter(
    "sslp_line_webhook_events_total",
    "LINE webhook events received, by event type and what the gateway did with them.",
    ["type", "outcome"],
)
WEBHOOK_REJECTED = Counter(
    "sslp_line_webhook_rejected_total",
    "Webhook requests refused before any event was read, by reason.",
    ["reason"],
)
SENDS = Counter(
    "sslp_line_sends_total",
    "Send commands finished, by method (reply is free, push and multicast are billable), "
    "priority and outcome.",
    ["method", "priority", "outcome"],
)
SEND_ERRORS = Counter(
    "sslp_line_send_errors_total",
    "Errors from the LINE Messaging API, by method and HTTP status (0: no answer).",
    ["method", "status"],
)
LINK_ATTEMPTS = Counter(
    "sslp_line_link_attempts_total",
    "Account-link codes sent by seniors, by outcome (linked, wrong_code, expired, used, "
    "superseded, already_linked, rate_limited).",
    ["outcome"],
)
BILLABLE_MESSAGES = Counter(
    "sslp_line_billable_messages_total",
    "Messages counted against the monthly allowance (push and multicast recipients).",
    ["method", "priority"],
)
PUSH_BUDGET = Gauge(
    "sslp_line_push_budget_messages",
    "This month's push budget (Japan time): limit, used (billable so far) and remaining.",
    ["kind"],
)
PUSH_BUDGET_USED_RATIO = Gauge(
    "sslp_line_push_budget_used_ratio",
    "Share of this month's push budget used (1.0 = exhausted; low-priority pushes are held).",
)
PUSH_BUDGET_WARNINGS = Counter(
    "sslp_line_push_budget_warnings_total",
    "Times this month's push budget crossed a warning threshold (percent).",
    ["threshold"],
)
QUOTA = Gauge(
    "sslp_line_quota_messages",
    "LINE's own figures from the quota endpoints: the plan's monthly limit and this month's use.",
    ["kind"],
)
QUOTA_EXHAUSTED = Counter(
    "sslp_line_quota_exhausted_total",
    "Sends refused by LINE because the monthly limit is reached, by priority.",
    ["priority"],
)
LOADING = Counter(
    "sslp_line_loading_animations_total",
    "Loading animations requested while Dai-chan thinks, by outcome.",
    ["outcome"],
)
AUDIO = Counter(
    "sslp_line_audio_total",
    "Voice messages, by outcome (fetched, too_long, too_large, gone, skipped_human_mode).",
    ["outcome"],
)
RICH_MENU = Counter(
    "sslp_line_rich_menu_operations_total",
    "Rich menu calls: provisioning and per-user links, by operation and outcome.",
    ["operation", "outcome"],
)
PERSONAL_DATA_ERASED = Counter(
    "sslp_line_personal_data_erased_total",
    "Users whose LINE profile (name, picture, language), stored by an earlier version, was erased.",
)
UNKNOWN_REPLY_OUTCOMES = Counter(
    "sslp_line_unknown_reply_outcomes_total",
    "Retried replies whose first attempt may or may not have reached the senior (the token "
    "expired meanwhile), by priority and what the gateway did: resent_by_push (a rare double "
    "rather than silence) or assumed_delivered.",
    ["priority", "decision"],
)
