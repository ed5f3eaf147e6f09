"""What the gateway itself answers on LINE (link results, link help, the group note, a voice
message too long), as `line.send.requested` commands for its own sender.

They are durable commands on `line.outbound`, not calls made after the commit: a senior waits for
a link result, and a crash between the commit and a direct call would lose it silently. Through
the outbox and the sender, the answer survives a crash and gets the sender's guarantees (reply or
push, retry key, budget, a delivery record and event). Their command ids derive from their cause
(the webhook event, or the inbound event for a voice message), so the same answer computed twice
is one command, which the sender de-duplicates.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from services.common.events.contracts.line import (
    MessageReceived,
    PostbackReceived,
    SendPriority,
    SendRequested,
    TextMessage,
)
from services.common.events.envelope import Envelope, new_event

SOURCE = "line_gateway"
ANSWER_NAMESPACE = UUID("3a4f7b1e-52c6-4d0e-9e1b-7c2d8f6a9b03")
FOLLOW_UP_NAMESPACE = UUID("5e2c9a7d-3b1f-4c8e-a6d0-1f9b7e3c5a24")


def answer(
    inbound: MessageReceived | PostbackReceived, *, text: str, purpose: str
) -> Envelope[SendRequested]:
    """A service answer to a senior's message or tap, by reply while its token lasts."""
    command = SendRequested(
        user_id=inbound.user_id,
        messages=[TextMessage(text=text)],
        reply_token=inbound.reply_token,
        reply_token_expires_at=inbound.reply_token_expires_at,
        priority=SendPriority.SERVICE,
        purpose=purpose,
    )
    return new_event(
        command,
        source=SOURCE,
        event_id=uuid5(ANSWER_NAMESPACE, f"{inbound.webhook_event_id}:{purpose}"),
    )


def audio_too_long(cause: Envelope[MessageReceived], *, text: str) -> Envelope[SendRequested]:
    """The kind request for a shorter voice message (one too long to transcribe)."""
    message = cause.data
    command = SendRequested(
        user_id=message.user_id,
        messages=[TextMessage(text=text)],
        reply_token=message.reply_token,
        reply_token_expires_at=message.reply_token_expires_at,
        priority=SendPriority.CONVERSATION,
        purpose="line_gateway.audio_too_long",
    )
    # Derived from the inbound event's id: the follow-up consumer may compute it more than once.
    return new_event(
        command,
        source=SOURCE,
        cause=cause,
        event_id=uuid5(FOLLOW_UP_NAMESPACE, f"{cause.id}:audio_too_long"),
    )


def group_note(
    *,
    webhook_event_id: str,
    chat_id: str,
    text: str,
    reply_token: str | None,
    reply_token_expires_at: datetime | None,
) -> Envelope[SendRequested]:
    """The one polite note a group or room gets (low priority: never worth a paid push)."""
    command = SendRequested(
        user_id=chat_id,
        messages=[TextMessage(text=text)],
        reply_token=reply_token,
        reply_token_expires_at=reply_token_expires_at,
        priority=SendPriority.LOW,
        purpose="line_gateway.group_note",
    )
    return new_event(
        command,
        source=SOURCE,
        event_id=uuid5(ANSWER_NAMESPACE, f"{webhook_event_id}:group_note"),
    )
