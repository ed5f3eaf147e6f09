"""One-time codes a senior types into LINE to link their account (verified by line_gateway).

The 8-digit code is shown to staff once, to hand to the senior on paper or by phone; only its
keyed digest (services.common.link_codes, under LINK_CODE_SECRET) is stored and published, so
reading `lending.events` does not reveal it (eight digits would fall to any unkeyed hash). A new
code replaces the previous one (line_gateway keeps the latest per participant), and codes expire;
line_gateway limits guessing per user.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.common.auth import AuditLog
from services.common.events.contracts.lending import LinkCodeIssuedV2
from services.common.link_codes import link_code_digest
from services.common.store import Tx
from services.common.usecases import transactional
from services.tablet_lending.domain.errors import Refused
from services.tablet_lending.domain.participants import ParticipantStatus
from services.tablet_lending.store import LendingDb
from services.tablet_lending.usecases.enrolment import participant_or_404
from services.tablet_lending.usecases.outbox import publish

CODE_DIGITS = 8


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


@dataclass(frozen=True)
class IssuedCode:
    participant_id: str
    code: str
    expires_at: datetime


@transactional
async def issue_link_code(
    db: LendingDb,
    tx: Tx,
    *,
    audit: AuditLog,
    participant_id: str,
    actor: str,
    now: datetime,
    ttl: timedelta,
    secret: str,
    code: str | None = None,
) -> IssuedCode:
    """Issue (or reissue) a participant's code; `code` is fixed only for the demo seniors."""
    code = code or new_code()
    expires_at = now + ttl
    participant = await participant_or_404(db, participant_id, tx)
    if participant.status is not ParticipantStatus.ENROLLED or participant.erased:
        raise Refused(
            "not_enrolled",
            f"Participant {participant_id} is not enrolled; only participants link LINE.",
            f"利用者 {participant_id} は登録済みの利用者ではないため、連携番号を発行できません。",
        )
    digest = link_code_digest(secret=secret, code=code)
    await db.link_codes.replace(
        tx,
        participant_id,
        {
            "code_digest": digest,
            "issued_at": now,
            "expires_at": expires_at,
            "issued_by": actor,
        },
    )
    await db.history.append(
        tx,
        subject=f"participant:{participant_id}",
        action="link_code_issued",
        actor=actor,
        at=now,
        details={"expires_at": expires_at},
    )
    await audit.record(actor=actor, action="participant.link_code", subject=participant_id, tx=tx)
    await publish(
        tx,
        key=participant_id,
        data=LinkCodeIssuedV2(
            participant_id=participant_id, code_digest=digest, expires_at=expires_at
        ),
    )
    return IssuedCode(participant_id=participant_id, code=code, expires_at=expires_at)
