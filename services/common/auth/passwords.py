"""Password hashing with scrypt (memory-hard, in the standard library)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# OWASP's minimum scrypt parameters: N=2^17 needs 128 MiB; 2^14 with r=8 is 16 MiB per hash,
# a deliberate trade-off for a login endpoint on a small host. The parameters are stored in
# each hash so they can be raised later without invalidating existing passwords.
_N, _R, _P, _LENGTH = 2**14, 8, 1, 32
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LENGTH)
    encoded = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${encoded(salt).decode()}${encoded(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
