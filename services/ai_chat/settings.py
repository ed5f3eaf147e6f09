from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import PreferredNameSecretSettings, shared


class AiChatSettings(PreferredNameSecretSettings):
    model_config = SettingsConfigDict(env_prefix="AI_CHAT_")

    port: int = 8003
    mongodb_database: str = "sslp_ai_chat"

    # Without a key Dai-chan answers with the offline responder (clearly labelled as such).
    openai_api_key: str | None = Field(default=None, validation_alias=shared("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=shared("OPENAI_BASE_URL"))
    openai_model: str = Field(default="gpt-4o-mini", validation_alias=shared("OPENAI_MODEL"))
    openai_moderation_model: str = "omni-moderation-latest"
    openai_transcription_model: str = "gpt-4o-mini-transcribe"
    # The SDK's defaults (600 s, 2 retries) are far too long for a chat reply: a senior waiting
    # more than a few seconds is better served by the kind fallback message.
    openai_timeout_seconds: float = 8.0
    openai_max_retries: int = 1
    openai_max_output_tokens: int = 300
    # Requests go round-robin over this many SDK clients: an HTTP connection pool checks every
    # pooled connection on each request, so several small pools are cheaper than one big one
    # when hundreds of slow calls are in flight (measured with bench/ai_chat_throughput.py).
    openai_http_pools: int = 8
    # Prices for the cost estimate on /metrics, in yen per million tokens (defaults: gpt-4o-mini's
    # list price of US$0.15 / US$0.60 at 150 yen to the dollar). Set them to your contract.
    openai_input_yen_per_million_tokens: float = 22.5
    openai_output_yen_per_million_tokens: float = 90.0
    # The model's moderation beside the rules (only with a key; the rules always run).
    moderation_enabled: bool = True
    # The model's safety triage beside the reply (only with a key): it may add a route, never
    # remove one, and never holds the answer longer than its timeout.
    safety_triage_enabled: bool = True
    safety_triage_timeout_seconds: float = 3.0
    # The reviewed persona prompt (services/ai_chat/prompts/<version>.md), recorded on each turn.
    # What Dai-chan tells seniors about the helpdesk (the FAQ): the very settings the helpdesk's
    # own clock reads, so the two never disagree; a number or address only once published.
    helpdesk_business_hours: str = Field(
        default="09:00-17:00", validation_alias=shared("HELPDESK_BUSINESS_HOURS")
    )
    helpdesk_business_days: str = Field(
        default="mon-fri", validation_alias=shared("HELPDESK_BUSINESS_DAYS")
    )
    helpdesk_observe_holidays: bool = Field(
        default=True, validation_alias=shared("HELPDESK_OBSERVE_HOLIDAYS")
    )
    helpdesk_phone: str = Field(default="", validation_alias=shared("HELPDESK_PHONE"))
    helpdesk_email: str = Field(default="", validation_alias=shared("HELPDESK_EMAIL"))
    persona_version: str = "daichan.v2"

    # Memory: turns kept for context, how often the rolling summary is rewritten, and how long
    # conversations (turns, summary, shared facts) are kept at all (APPI retention).
    history_turns: int = 8
    summary_every_turns: int = 8
    conversation_retention_days: int = 90
    # Who read what Dai-chan keeps (the helpdesk's staff reading a senior's 呼び名), kept so long.
    audit_retention_days: int = 365
    # Model tokens per senior per day (Japan time); 0 means no limit. Safety never counts.
    daily_token_budget: int = 30_000
    # How long Dai-chan stays silent after asking for a person if no ticket takes the conversation.
    handover_pending_timeout_minutes: int = 120
    confirmation_ttl_minutes: int = 10

    # Voice: transcripts shorter than this, or less confident, are read back for confirmation.
    transcript_min_chars: int = 4
    transcript_min_confidence: float = 0.6

    # Daily check-ins and the friendly call after days of silence (0 turns that off).
    checkin_poll_seconds: float = 30.0
    checkin_max_lateness_minutes: int = 120
    inactivity_flag_days: int = 7

    def secrets_to_check(self) -> dict[str, str]:
        # A key is optional (offline responder); a placeholder key in production is a mistake.
        optional = {"OPENAI_API_KEY": self.openai_api_key} if self.openai_api_key else {}
        return {**super().secrets_to_check(), **optional}
