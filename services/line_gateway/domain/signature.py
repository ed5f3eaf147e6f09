"""LINE webhook signatures: HMAC-SHA256 of the raw body with the channel secret, base64."""

from __future__ import annotations

import base64
import hashlib
import hmac


def sign(body: bytes, channel_secret: str) -> str:
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def is_valid_signature(body: bytes, signature: str | None, channel_secret: str) -> bool:
    if not signature:
        return False
    # Constant-time comparison so the signature cannot be guessed byte by byte.
    return hmac.compare_digest(sign(body, channel_secret).encode(), signature.encode())
