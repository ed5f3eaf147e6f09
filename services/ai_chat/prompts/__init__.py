"""Dai-chan's persona prompts, one reviewed file per version (`daichan.v<N>.md`).

A released version is never edited: a change is a new file, reviewed like code, then selected with
`AI_CHAT_PERSONA_VERSION`. Every turn Dai-chan writes records the version that wrote it.
"""
