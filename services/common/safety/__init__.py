"""Safety detection: which messages must get fixed guidance and a person, whatever a model says.

Shared by Dai-chan (LINE chat) and the helpdesk (incoming e-mail), so both read a message with
the one detector. Two local opinions, neither of which can silence the other:

1. **Rules** (`rules`, written in the concept language of `services.common.language.concepts`
   over SudachiPy's lemmas, readings and negation, `morphology`): what a person would listen for,
   readable by a reviewer.
2. **A classifier** (`classifier`, trained by `python -m eval.train_safety` on the committed
   corpus; lemma, reading and concept features): what the rules do not name. Its score puts a
   route in the *certain* tier above one threshold and in the *uncertain* grey band above a lower
   one, both chosen on the development split for recall.

Both run in this process and need nothing outside it, so they work with the model down.
`python -m eval.redteam` measures them on train, dev and the locked test set separately.
"""

from services.common.safety.detector import detect, detect_analysed
from services.common.safety.routes import ROUTE_ORDER, Detection, Route, Tier

__all__ = ["ROUTE_ORDER", "Detection", "Route", "Tier", "detect", "detect_analysed"]
