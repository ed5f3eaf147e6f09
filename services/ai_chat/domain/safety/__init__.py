"""Dai-chan's own part of safety routing, beside the shared detector (`services.common.safety`:
rules and classifier, which also read the helpdesk's incoming mail).

3. **The model's triage**, when a model is configured (`triage`): it may add a route to what the
   rules and the classifier found, never remove one; the model's moderation (`moderation`) the
   same for self-harm.

And the guard's check (`phone`) that Dai-chan never writes a phone number itself.
"""

from services.ai_chat.domain.safety.moderation import Moderation
from services.ai_chat.domain.safety.phone import contains_phone_number

__all__ = ["Moderation", "contains_phone_number"]
