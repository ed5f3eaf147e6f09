"""A safety rule: concepts said together in one sentence, and the route it raises (the language
of concepts and terms is `services.common.language.concepts`)."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.language.concepts import Concept, Term
from services.common.safety.routes import Route, Tier


@dataclass(frozen=True)
class Rule:
    name: str
    route: Route
    terms: tuple[Term, ...]
    unless: tuple[Concept, ...] = ()
    # The widest stretch, in words, that the mentions may span.
    window: int = 10
    tier: Tier = Tier.CERTAIN
    # Fraud of the consumer kind (fake bills, doorstep sales): the guidance adds 188.
    consumer: bool = False
    # Only in a sentence of at most this many words ("係の人", "オペ" said on their own).
    max_words: int | None = None
