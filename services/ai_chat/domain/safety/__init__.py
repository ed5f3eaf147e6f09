"""Safety routing: which messages must get fixed guidance and a person, whatever the model says.

Three opinions, none of which can silence another:

1. **Rules** (`rules`, written in the concept language of `concepts` over SudachiPy's lemmas,
   readings and negation, `morphology`): what a person would listen for, readable by a reviewer.
2. **A classifier** (`classifier`, trained by `python -m eval.train_safety` on the committed
   corpus; lemma, reading and concept features): what the rules do not name. Its score puts a
   route in the *certain* tier above one threshold and in the *uncertain* grey band above a lower
   one, both chosen on the development split for recall.
3. **The model's triage**, when a model is configured (`triage`): it may add a route, never
   remove one.

Rules and classifier run in this process and need nothing outside it, so they work with the model
down. `python -m eval.redteam` measures them on train, dev and the locked test set separately.
"""

from services.ai_chat.domain.safety.detector import detect, detect_analysed
from services.ai_chat.domain.safety.moderation import Moderation
from services.ai_chat.domain.safety.phone import contains_phone_number
from services.ai_chat.domain.safety.routes import ROUTE_ORDER, Detection, Route, Tier

__all__ = [
    "ROUTE_ORDER",
    "Detection",
    "Moderation",
    "Route",
    "Tier",
    "contains_phone_number",
    "detect",
    "detect_analysed",
]
