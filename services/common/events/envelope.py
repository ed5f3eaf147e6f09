"""The envelope every Kafka message carries, and its JSON encoding.

`id` de-duplicates; `correlation_id` follows one conversation turn across hops; `causation_id`
names the event that caused this one. `data` is a typed contract looked up by (`type`, `version`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from services.common.events.registry import registry
from services.common.time import utcnow


class Contract(BaseModel):
    """Base for event payloads.

    Readers ignore fields they do not know, so a producer may add optional fields without breaking
    older consumers (checked by the schema compatibility test).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    version: ClassVar[int] = 1


DataT = TypeVar("DataT", bound=Contract)


class Envelope(BaseModel, Generic[DataT]):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: UUID
    type: str = Field(min_length=3, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
    version: int = Field(ge=1)
    occurred_at: AwareDatetime
    source: str = Field(min_length=1)
    correlation_id: UUID
    causation_id: UUID | None = None
    data: DataT


class _RawEnvelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: UUID
    type: str
    version: int = Field(ge=1)
    occurred_at: AwareDatetime
    source: str
    correlation_id: UUID
    causation_id: UUID | None = None
    data: dict[str, Any]


class EventDecodeError(ValueError):
    """The bytes are not a valid envelope or the payload breaks its contract (a poison message)."""


class UnknownEventType(LookupError):
    """A well-formed envelope of a type this build does not know (a newer producer): skip it."""

    def __init__(self, event_type: str, version: int, event_id: UUID) -> None:
        super().__init__(f"unknown event type {event_type} v{version}")
        self.event_type = event_type
        self.version = version
        self.event_id = event_id


def new_event(
    data: DataT,
    *,
    source: str,
    cause: Envelope[Any] | None = None,
    event_id: UUID | None = None,
    occurred_at: datetime | None = None,
) -> Envelope[DataT]:
    """Wrap a payload; an event caused by another inherits its correlation id."""
    return Envelope(
        id=event_id or uuid4(),
        type=data.event_type,
        version=data.version,
        occurred_at=occurred_at or utcnow(),
        source=source,
        correlation_id=cause.correlation_id if cause else uuid4(),
        causation_id=cause.id if cause else None,
        data=data,
    )


def encode_event(envelope: Envelope[Any]) -> bytes:
    # serialize_as_any: write the payload's own fields, whatever type the envelope was declared with.
    return envelope.model_dump_json(serialize_as_any=True).encode()


def decode_event(raw: bytes) -> Envelope[Contract]:
    """Parse and validate bytes from Kafka into a typed envelope.

    Raises `EventDecodeError` for poison messages and `UnknownEventType` for types this build
    does not know.
    """
    try:
        parsed = _RawEnvelope.model_validate_json(raw)
    except ValidationError as exc:
        raise EventDecodeError(_first_error(exc)) from exc
    model = registry.lookup(parsed.type, parsed.version)
    if model is None:
        raise UnknownEventType(parsed.type, parsed.version, parsed.id)
    try:
        data = model.model_validate(parsed.data)
    except ValidationError as exc:
        raise EventDecodeError(f"{parsed.type} v{parsed.version}: {_first_error(exc)}") from exc
    return Envelope[Contract](
        id=parsed.id,
        type=parsed.type,
        version=parsed.version,
        occurred_at=parsed.occurred_at,
        source=parsed.source,
        correlation_id=parsed.correlation_id,
        causation_id=parsed.causation_id,
        data=data,
    )


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "invalid"
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "(root)"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def peek_event_id(raw: bytes) -> str | None:
    """The envelope id of a message that may not validate, for dead-letter bookkeeping."""
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    event_id = value.get("id") if isinstance(value, dict) else None
    return event_id if isinstance(event_id, str) else None
