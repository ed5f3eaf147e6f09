"""The safety rules, as concepts said together in one sentence (see `concepts` for the language).

Each rule names what a person would listen for: a chest that hurts, a face drooping on one side,
someone claiming authority who wants money. Rules are the floor that needs no model and no
training; the classifier beside them (`classifier`) catches what they do not name.

One module per route; `RULES` is all of them, in the order the detector reads them.
"""

from __future__ import annotations

from services.common.safety.rules.emergency import EMERGENCY_RULES
from services.common.safety.rules.fraud import FRAUD_RULES
from services.common.safety.rules.person import PERSON_RULES
from services.common.safety.rules.self_harm import SELF_HARM_RULES

RULES = (*EMERGENCY_RULES, *SELF_HARM_RULES, *FRAUD_RULES, *PERSON_RULES)

__all__ = ["EMERGENCY_RULES", "FRAUD_RULES", "PERSON_RULES", "RULES", "SELF_HARM_RULES"]
