"""ai_chat's repositories."""

from services.ai_chat.store.conversations import ConversationRepository, Turn

__all__ = ["ConversationRepository", "Turn"]
