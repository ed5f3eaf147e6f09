"""ai_chat's own metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REPLIES = Counter(
    "sslp_ai_replies_total",
    "Dai-chan's replies, by responder (openai, offline, fallback) and kind.",
    ["responder", "kind"],
)
MODEL_SECONDS = Histogram(
    "sslp_ai_model_seconds",
    "Latency of model calls, by outcome.",
    ["outcome"],
    buckets=(0.25, 0.5, 1, 2, 3, 5, 8, 13, 20),
)
MODEL_TOKENS = Counter(
    "sslp_ai_model_tokens_total",
    "Tokens used by model calls, by direction (input, output).",
    ["direction"],
)
SKIPPED_MESSAGES = Counter(
    "sslp_ai_skipped_messages_total",
    "Inbound messages Dai-chan deliberately did not answer, by reason.",
    ["reason"],
)
