"""ai_chat's use cases: load through repositories, ask `domain/` for the decision, commit it."""
