"""What a retried reply means when nobody knows whether the first attempt reached the senior.

A reply's first attempt can end without an answer LINE stands behind: the gateway was killed while
the request was out, LINE answered 5xx, or the call timed out. LINE's own guidance is that a
message may have been delivered even then. The retry learns something from the reply token:

- while the token is still valid, LINE's "Invalid reply token" means it was used, and only our
  earlier attempt can have used it: the senior has the message (`assumed_delivered`);
- once the token has expired, "invalid" means used *or* expired, and the first outcome stays
  unknown. Then it is a rare double against possible silence, decided by the send's priority:

| priority | unknown first outcome | why |
|---|---|---|
| safety | resend by push | emergency and fraud guidance must not be lost |
| service | resend by push | loan returns, session reminders, staff replies: a senior waits for them |
| conversation | resend by push | a senior who wrote to Dai-chan and hears nothing thinks nobody listens |
| low | assume delivered | a greeting or campaign twice is worse than once too few |

The resend is a push with the command's `X-Line-Retry-Key`, so however often the resend itself is
retried, it reaches the senior at most once more.
"""

from __future__ import annotations

from enum import StrEnum

from services.common.events.contracts.line import SendPriority

# Why a send ended as it did when its reply's first outcome was unknown (the delivery's reason).
REPLY_OUTCOME_UNKNOWN = "reply_outcome_unknown"


class UnknownReply(StrEnum):
    RESEND_BY_PUSH = "resent_by_push"
    ASSUME_DELIVERED = "assumed_delivered"


RESENT_WHEN_UNKNOWN = frozenset(
    {SendPriority.SAFETY, SendPriority.SERVICE, SendPriority.CONVERSATION}
)


def after_unknown_reply(priority: SendPriority) -> UnknownReply:
    if priority in RESENT_WHEN_UNKNOWN:
        return UnknownReply.RESEND_BY_PUSH
    return UnknownReply.ASSUME_DELIVERED
