"""ai_chat's repositories: the only code here that talks to MongoDB (the programme projection is
the shared one, `services/common/programme`)."""

from services.ai_chat.store.seniors import SeniorRepository

__all__ = ["SeniorRepository"]
