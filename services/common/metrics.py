"""Platform-wide Prometheus metrics every service exposes on `/metrics`.

Labels are low-cardinality by rule: topic, event type, outcome, route; never a user or ticket id.
Domain metrics live beside their domain in each service.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter(
    "sslp_events_consumed_total",
    "Kafka messages taken off a topic by a consumer, by outcome.",
    ["topic", "type", "outcome"],
)
EVENT_HANDLING_SECONDS = Histogram(
    "sslp_event_handling_seconds",
    "Time from taking a message off a topic to finishing with it (retries included).",
    ["topic"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
EVENT_HANDLING_RETRIES = Counter(
    "sslp_event_handling_retries_total",
    "Handler attempts that failed and were retried.",
    ["topic", "type"],
)
DEAD_LETTERS = Counter(
    "sslp_dead_letters_total",
    "Messages sent to a dead-letter topic after bounded retries or as poison.",
    ["topic", "reason"],
)
CONSUMER_IN_FLIGHT = Gauge(
    "sslp_consumer_in_flight",
    "Messages taken off topics and not yet finished.",
)
CONSUMER_LAG = Gauge(
    "sslp_kafka_consumer_lag",
    "Messages on a topic that the consumer group has not committed yet (every instance of a "
    "service reports its whole group: aggregate with max).",
    ["group", "topic"],
)
OUTBOX_PUBLISHED = Counter(
    "sslp_outbox_published_total",
    "Events relayed from the transactional outbox to Kafka.",
    ["topic"],
)
OUTBOX_BACKLOG = Gauge(
    "sslp_outbox_backlog",
    "Events committed to the outbox and not yet relayed to Kafka, per relay lane.",
    ["lane"],
)
OUTBOX_OLDEST_PENDING_SECONDS = Gauge(
    "sslp_outbox_oldest_pending_seconds",
    "Age of the oldest event waiting in the outbox, per relay lane.",
    ["lane"],
)
OUTBOX_PARKED = Counter(
    "sslp_outbox_parked_total",
    "Outbox entries Kafka refused for good (e.g. over the record size limit), moved aside.",
    ["topic", "reason"],
)
OUTBOX_PARKED_WAITING = Gauge(
    "sslp_outbox_parked_waiting",
    "Outbox entries moved aside and waiting for a person (collection outbox_parked).",
)
OUTBOX_RELAY_ERRORS = Counter(
    "sslp_outbox_relay_errors_total",
    "Relay rounds that failed (Kafka or MongoDB unreachable); they are retried.",
)
HTTP_REQUESTS = Counter(
    "sslp_http_requests_total",
    "HTTP requests served, by route template and status code.",
    ["method", "route", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "sslp_http_request_seconds",
    "HTTP request latency by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
)
REJECTED_INPUT = Counter(
    "sslp_rejected_input_total",
    "Requests or records refused as invalid, by where and why.",
    ["where", "reason"],
)
