"""line_gateway's own metrics (the shared ones are in services.common.metrics)."""

from __future__ import annotations

from prometheus_client import Counter

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
