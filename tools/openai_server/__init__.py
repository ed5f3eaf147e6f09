"""An OpenAI-compatible test server: deterministic Dai-chan replies, moderation, transcription."""
