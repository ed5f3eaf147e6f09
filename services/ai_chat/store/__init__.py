"""ai_chat's repositories: the only code here that talks to MongoDB."""

from services.ai_chat.store.programme import ProgrammeRepository
from services.ai_chat.store.seniors import SeniorRepository, Turn

__all__ = ["ProgrammeRepository", "SeniorRepository", "Turn"]
