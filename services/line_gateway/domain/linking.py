"""Account linking with one-time codes: recognising a code in a message and checking it.

tablet_lending gives each participant an 8-digit code (on paper or by phone) and publishes only
its keyed digest (services.common.link_codes). A senior sends the code as a LINE message; seniors type it
in many ways ("１２３４ ５６７８", "連携 12345678", "コード:1234-5678"), so the text is normalised
(NFKC turns full-width digits into ASCII) before matching.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from services.common.events.contracts.line import AccountUnlinked
from services.line_gateway.domain import texts

CODE_LENGTH = 8
_CODE_MESSAGE = re.compile(
    r"(?:連携|れんけい|レンケイ|LINE連携)?\s*(?:コード|番号|ばんごう)?\s*(?:は)?\s*[:：]?\s*"
    r"(?P<digits>\d[\d\s\-]{6,14}\d)\s*(?:です)?[。.]?"
)


class LinkOutcome(StrEnum):
    LINKED = "linked"
    ALREADY_LINKED = "already_linked"
    WRONG_CODE = "wrong_code"
    EXPIRED = "expired"
    USED = "used"
    SUPERSEDED = "superseded"
    RATE_LIMITED = "rate_limited"

    @property
    def failed(self) -> bool:
        """Counts towards the brute-force limit (a refused-as-rate-limited try does not)."""
        return self in {
            LinkOutcome.WRONG_CODE,
            LinkOutcome.EXPIRED,
            LinkOutcome.USED,
            LinkOutcome.SUPERSEDED,
        }


ANSWERS = {
    LinkOutcome.LINKED: texts.LINK_SUCCESS,
    LinkOutcome.ALREADY_LINKED: texts.LINK_ALREADY,
    LinkOutcome.WRONG_CODE: texts.LINK_WRONG,
    LinkOutcome.EXPIRED: texts.LINK_EXPIRED,
    LinkOutcome.USED: texts.LINK_USED,
    LinkOutcome.SUPERSEDED: texts.LINK_EXPIRED,
    LinkOutcome.RATE_LIMITED: texts.LINK_RATE_LIMITED,
}


def code_in(text: str | None) -> str | None:
    """The 8-digit code if the whole message is a link code, else None."""
    if not text:
        return None
    normalised = unicodedata.normalize("NFKC", text).strip()
    match = _CODE_MESSAGE.fullmatch(normalised)
    if match is None:
        return None
    digits = re.sub(r"\D", "", match["digits"])
    return digits if len(digits) == CODE_LENGTH else None


class LinkCode(BaseModel):
    """A code tablet_lending issued, as the gateway knows it (only its keyed digest)."""

    model_config = ConfigDict(frozen=True)

    code_digest: str
    participant_id: str
    expires_at: datetime
    issued_at: datetime
    used_at: datetime | None = None
    superseded_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    outcome: LinkOutcome
    code: LinkCode | None = None


def verify(*, match: LinkCode | None, now: datetime, linked_participant: str | None) -> Verdict:
    """Whether the recorded code the typed one matches (if any) may link the sender now.

    Any friend holding a valid code may link: the code is the proof. `linked_participant` is
    who the sender is linked to already, so resending one's own used code is not an error.
    """
    if match is None:
        return Verdict(LinkOutcome.WRONG_CODE)
    if match.used_at is not None:
        if linked_participant == match.participant_id:
            return Verdict(LinkOutcome.ALREADY_LINKED, match)
        return Verdict(LinkOutcome.USED, match)
    if match.superseded_at is not None:
        return Verdict(LinkOutcome.SUPERSEDED, match)
    if match.expires_at <= now:
        return Verdict(LinkOutcome.EXPIRED, match)
    return Verdict(LinkOutcome.LINKED, match)


def rate_limited(failures: int, *, max_failures: int) -> bool:
    """Too many refused codes in the window: codes are not even checked."""
    return failures >= max_failures


def unlinked_by_link(
    *, user_id: str, participant_id: str, previous: str | None, holder: str | None, at: datetime
) -> list[AccountUnlinked]:
    """Who loses a link when `user_id` links to `participant_id`: one participant, one LINE user.

    `holder` is the LINE user linked to the participant now (a participant who links a new phone
    leaves the old one), `previous` the participant the user was linked to.
    """
    unlinked = []
    if holder is not None and holder != user_id:
        unlinked.append(
            AccountUnlinked(
                user_id=holder,
                participant_id=participant_id,
                reason="linked_elsewhere",
                unlinked_at=at,
            )
        )
    if previous is not None and previous != participant_id:
        unlinked.append(
            AccountUnlinked(
                user_id=user_id, participant_id=previous, reason="relinked", unlinked_at=at
            )
        )
    return unlinked
