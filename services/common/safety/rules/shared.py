"""What more than one route's rules read: the routes' short names, and what makes a danger not now."""

from __future__ import annotations

from services.common.safety.lexicon import framing
from services.common.safety.routes import Route

E, S, F, P = Route.EMERGENCY, Route.SELF_HARM, Route.FRAUD, Route.PERSON
# What turns a body in danger into a story, a lesson, the past or a figure of speech.
NOT_NOW = (
    framing.STORY,
    framing.PRACTICE,
    framing.PAST,
    framing.GENERAL,
    framing.HELPED,
    framing.FALSE_ALARM,
)
NOT_NOW_OR_FINE = (*NOT_NOW, framing.RECOVERED)
