"""The event envelope and the typed contracts carried inside it.

Import contracts from `services.common.events.contracts`; every contract module registers its
models when imported, and importing this package imports them all.
"""

# Register every contract.
from services.common.events import contracts as contracts
from services.common.events.envelope import (
    Contract,
    Envelope,
    EventDecodeError,
    UnknownEventType,
    decode_event,
    encode_event,
    new_event,
)
from services.common.events.registry import registry

__all__ = [
    "Contract",
    "Envelope",
    "EventDecodeError",
    "UnknownEventType",
    "contracts",
    "decode_event",
    "encode_event",
    "new_event",
    "registry",
]
