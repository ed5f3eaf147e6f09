"""The safety routes and what a detection says about a message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Route(StrEnum):
    EMERGENCY = "emergency"
    SELF_HARM = "self_harm"
    FRAUD = "fraud"
    PERSON = "person"


# Most urgent first: when a message matches several routes, this decides the order of guidance
# and the reason of the help request.
ROUTE_ORDER = (Route.EMERGENCY, Route.SELF_HARM, Route.FRAUD, Route.PERSON)


class Tier(StrEnum):
    # The fixed guidance and an urgent helpdesk request.
    CERTAIN = "certain"
    # A short fixed check in Dai-chan's answer and a normal-priority review by a person; the
    # senior's next answer settles it.
    UNCERTAIN = "uncertain"


def ordered(routes: set[Route] | frozenset[Route]) -> tuple[Route, ...]:
    return tuple(r for r in ROUTE_ORDER if r in routes)


@dataclass(frozen=True)
class Detection:
    # Routes that are certain, most urgent first.
    routes: tuple[Route, ...] = ()
    # Routes in the grey band (never one that is also certain).
    uncertain: tuple[Route, ...] = ()
    # Which layers said so ("rule:cardiac.chest", "classifier:emergency", "triage:fraud", "menu").
    reasons: tuple[str, ...] = ()
    # Fraud of the consumer kind (fake bills, doorstep sales): the guidance adds 188.
    consumer_fraud: bool = False

    @property
    def primary(self) -> Route | None:
        return self.routes[0] if self.routes else None

    @property
    def any_routes(self) -> tuple[Route, ...]:
        return ordered(set(self.routes) | set(self.uncertain))

    def __bool__(self) -> bool:
        return bool(self.routes)

    def merged(self, other: Detection) -> Detection:
        certain = set(self.routes) | set(other.routes)
        return Detection(
            routes=ordered(certain),
            uncertain=ordered((set(self.uncertain) | set(other.uncertain)) - certain),
            reasons=self.reasons + tuple(r for r in other.reasons if r not in self.reasons),
            consumer_fraud=self.consumer_fraud or other.consumer_fraud,
        )

    def only(self, allowed: tuple[Route, ...]) -> Detection:
        """The same detection limited to some routes (e.g. while a person has the chat)."""
        return Detection(
            routes=tuple(r for r in self.routes if r in allowed),
            uncertain=tuple(r for r in self.uncertain if r in allowed),
            reasons=self.reasons,
            consumer_fraud=self.consumer_fraud and Route.FRAUD in allowed,
        )
