"""What a ticket is made of besides its state: who acts, thread and history entries, the CSAT
answer, and what a change asks for beyond the ticket (events to publish, metrics to count)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from services.common.events.contracts.line import SendRequested
from services.common.events.envelope import Envelope

# Fixed namespace: a staff reply's LINE command id must be the same in every process, forever,
# so a double-click or a retried request can never send the senior a message twice.
COMMAND_NAMESPACE = UUID("a3c5e0d2-6b1f-4f43-9d0e-7c2b8e4f1a65")


def command_id(ticket_id: str, purpose: str, key: str) -> UUID:
    return uuid5(COMMAND_NAMESPACE, f"{ticket_id}:{purpose}:{key}")


PersonKind = Literal["staff", "senior", "system"]


class Person(BaseModel):
    """Who wrote an entry or made a change, as the ticket records it."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: PersonKind = "staff"


@dataclass(frozen=True)
class Actor:
    """Who acts now: a person, and whether they hold the supervisor role."""

    id: str
    name: str
    kind: PersonKind = "staff"
    supervisor: bool = False

    def person(self) -> Person:
        return Person(id=self.id, name=self.name, kind=self.kind)


SYSTEM = Actor(id="system", name="システム", kind="system")
SENIOR = Actor(id="senior", name="ご本人", kind="senior")

EntryKind = Literal["senior", "reply", "note", "system"]


class AttachmentRef(BaseModel):
    """A kept attachment as its mail's entry lists it; the bytes are kept beside the ticket."""

    id: str
    filename: str
    content_type: str
    size: int
    sha256: str


class RefusedRef(BaseModel):
    """A part of a mail that was not kept, and why (a `RefusalReason` value)."""

    filename: str
    reason: str


class Entry(BaseModel):
    """One item of the thread; the optional fields belong to some kinds only."""

    id: str
    kind: EntryKind
    author: Person
    text: str
    at: datetime
    sent_to_line: bool | None = None  # a reply: whether it went to the senior on LINE
    sent_at: datetime | None = None  # the senior's message: when they sent it
    request_id: str | None = None  # a joined help request
    reply_id: str | None = None  # a note that a reply did not reach the senior
    attachments: list[AttachmentRef] | None = None  # a mail: the attachments kept
    refused_parts: list[RefusedRef] | None = None  # a mail: the parts not kept


class HistoryEntry(BaseModel):
    """Who changed what, when; `details` say how (from, to, the request, the score...)."""

    at: datetime
    actor: Person
    action: str
    details: dict[str, JsonValue] = Field(default_factory=dict)


class Csat(BaseModel):
    score: int
    at: datetime


MeasureName = Literal[
    "opened",
    "reopened",
    "first_response",
    "first_response_by_channel",
    "resolution",
    "reply_sent",
]


@dataclass(frozen=True)
class Measure:
    """A metric a change counts once it is committed (the use case records it)."""

    name: MeasureName
    labels: tuple[str, ...]
    value: float = 1.0


@dataclass(frozen=True)
class Outgoing:
    """An event a change publishes, with its partition key."""

    key: str
    event: Envelope[Any]


@dataclass(frozen=True)
class Send:
    """A message to the senior on LINE (keyed by their user id)."""

    key: str
    event: Envelope[SendRequested]


@dataclass(frozen=True)
class MailReply:
    """A staff reply to go by e-mail, staged with the change that records it (the mail outbox)
    and sent after the commit; everything the mail is built from, so every attempt is the same
    message (`domain.mail.compose.build_reply`)."""

    # The reply's entry id (its command id): the Message-ID is made from it.
    reply_id: str
    ticket_id: str
    to: str
    subject: str
    body: str
    recorded_at: datetime
    parent_message_id: str | None
    parent_references: tuple[str, ...]
    # The subject tag (`[SSL#0042]`), the ticket's number.
    ticket_ref: str
