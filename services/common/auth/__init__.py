"""Staff authentication shared by every service with staff pages or APIs.

Each service keeps its own staff accounts (least privilege: a helpdesk agent has no account in
tablet_lending) in its own database, but the mechanism is one: scrypt password hashes, lockout
after repeated failures, signed expiring session tokens (JWT) carried in a cookie (pages) or an
`Authorization: Bearer` header (APIs), role checks, and an audit trail of who saw or changed
which senior's data.
"""

from services.common.auth.accounts import (
    AccountLocked,
    InvalidCredentials,
    StaffAccount,
    StaffAccounts,
    TooManyAttempts,
)
from services.common.auth.passwords import hash_password, verify_password
from services.common.auth.tokens import InvalidToken, StaffClaims, issue_token, verify_token
from services.common.store.audit import AuditLog

__all__ = [
    "AccountLocked",
    "AuditLog",
    "InvalidCredentials",
    "InvalidToken",
    "StaffAccount",
    "StaffAccounts",
    "StaffClaims",
    "TooManyAttempts",
    "hash_password",
    "issue_token",
    "verify_password",
    "verify_token",
]
