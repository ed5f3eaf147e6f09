"""The digest of a one-time LINE link code, shared by tablet_lending (issues) and line_gateway
(checks).

An 8-digit code has only 10^8 values: any unkeyed hash of it, salted or not, is reversed in
seconds by whoever can read `lending.events`. The digest is therefore an HMAC-SHA256 under a
secret that only these two services hold (`LINK_CODE_SECRET`), so reading the topic reveals
nothing, and it is deterministic, so the gateway finds a typed code by its digest (an index
lookup) instead of hashing it against every code on record.
"""

from __future__ import annotations

import hashlib
import hmac

# Bound into the MAC so a digest of this kind can never be taken for any other.
_PURPOSE = b"sslp.lending.link_code.v2\x00"


def link_code_digest(*, secret: str, code: str) -> str:
    return hmac.new(secret.encode(), _PURPOSE + code.encode(), hashlib.sha256).hexdigest()
