"""When the senior sees LINE's loading animation while Dai-chan thinks.

Only for a bot-mode text or voice message (stickers and images get a fixed answer at once, staff
answer in human mode), and only while the message is fresh: a late or replayed event's answer is
not being computed right now. The animation is cosmetic, so it is a best-effort call after the
webhook's commit, never retried (a late animation could outlast the answer) and lost, harmlessly,
if the gateway dies before it leaves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from services.common.events.contracts.line import ConversationMode, MessageReceived

# Dai-chan thinks about these; stickers and images get a fixed answer at once.
THINKING_TYPES = frozenset({"text", "audio"})


class Loading(StrEnum):
    SHOW = "show"
    TOO_LATE = "too_late"


def loading_for(message: MessageReceived, *, now: datetime, max_age: timedelta) -> Loading | None:
    """Show the animation, skip it as too late, or None: not a message Dai-chan thinks about."""
    if (
        message.conversation_mode is not ConversationMode.BOT
        or message.message_type not in THINKING_TYPES
    ):
        return None
    if now - message.sent_at > max_age:
        return Loading.TOO_LATE
    return Loading.SHOW
