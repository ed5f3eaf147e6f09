"""ai_chat's own metrics (labels stay low-cardinality: never a user, participant or ticket id)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REPLIES = Counter(
    "sslp_ai_replies_total",
    "Dai-chan's replies, by who wrote them (openai, offline, fallback, fixed) and what they were.",
    ["responder", "kind"],
)
MODEL_SECONDS = Histogram(
    "sslp_ai_model_seconds",
    "Latency of model calls, by operation (chat, summary, moderation, transcription) and outcome.",
    ["operation", "outcome"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20),
)
MODEL_CALLS = Counter(
    "sslp_ai_model_calls_total",
    "Model calls, by operation and outcome (ok, error, timeout).",
    ["operation", "outcome"],
)
MODEL_TOKENS = Counter(
    "sslp_ai_model_tokens_total",
    "Tokens used by model calls, by direction (input, output).",
    ["direction"],
)
MODEL_COST_YEN = Counter(
    "sslp_ai_model_cost_yen_total",
    "Estimated cost of chat model calls in yen, from their tokens and the configured prices "
    "(AI_CHAT_OPENAI_INPUT_YEN_PER_MILLION_TOKENS, AI_CHAT_OPENAI_OUTPUT_YEN_PER_MILLION_TOKENS).",
)
SKIPPED_MESSAGES = Counter(
    "sslp_ai_skipped_messages_total",
    "Inbound events Dai-chan deliberately did not answer, by reason.",
    ["reason"],
)
SAFETY_ESCALATIONS = Counter(
    "sslp_ai_safety_escalations_total",
    "Messages routed to fixed safety guidance and a person, by route and what detected it.",
    ["route", "detector"],
)
OUTPUT_GUARD = Counter(
    "sslp_ai_output_guard_total",
    "Model answers changed before sending, by action (markdown_stripped, phone_number_replaced).",
    ["action"],
)
BUDGET_EXHAUSTED = Counter(
    "sslp_ai_budget_exhausted_total",
    "Messages answered with the budget text because the senior's daily token budget was used up.",
)
TRANSCRIPTIONS = Counter(
    "sslp_ai_transcriptions_total",
    "Voice messages, by outcome (heard, unsure, failed, no_model).",
    ["outcome"],
)
MEMORY_EVENTS = Counter(
    "sslp_ai_memory_events_total",
    "Changes to seniors' memory, by kind (fact_saved, summary_updated, erased, expired).",
    ["kind"],
)
CHECKINS = Counter(
    "sslp_ai_checkins_total",
    "Daily check-ins, by outcome (sent, skipped_late, skipped_unfollowed, opted_in, opted_out).",
    ["outcome"],
)
INACTIVITY_FLAGS = Counter(
    "sslp_ai_inactivity_flags_total",
    "Seniors flagged to the helpdesk for a friendly call after days without a message.",
)


SAFETY_CHECKS = Counter(
    "sslp_ai_safety_checks_total",
    "Short safety checks beside Dai-chan's answer (the uncertain tier), by route and outcome "
    "(asked; confirmed: the senior asked for help; dismissed: the senior said all is well).",
    ["route", "outcome"],
)
SAFETY_TRIAGE = Counter(
    "sslp_ai_safety_triage_total",
    "The model triage's routes against the local layers', by route and verdict (agreed: both; "
    "added: the model only; not_confirmed: the local layers only).",
    ["route", "verdict"],
)

SAFETY_ROUTES = ("emergency", "self_harm", "fraud", "person")
SAFETY_DETECTORS = ("rules", "classifier", "moderation", "triage", "menu", "check")
SAFETY_CHECK_OUTCOMES = ("asked", "confirmed", "dismissed")
TRIAGE_VERDICTS = ("agreed", "added", "not_confirmed")


def initialise() -> None:
    """Create the safety series at zero, so the first escalation of a kind shows as an increase
    (Prometheus cannot see the first increment of a series that appears already at 1)."""
    for route in SAFETY_ROUTES:
        for detector in SAFETY_DETECTORS:
            SAFETY_ESCALATIONS.labels(route, detector)
        for outcome in SAFETY_CHECK_OUTCOMES:
            SAFETY_CHECKS.labels(route, outcome)
        for verdict in TRIAGE_VERDICTS:
            SAFETY_TRIAGE.labels(route, verdict)
