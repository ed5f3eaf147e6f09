"""Who may change what on a ticket, beyond the role checks at the API (pure decisions).

- A claimed ticket's triage (priority, category) belongs to its assignee or a supervisor: a
  colleague changing it would move its deadline under the assignee's feet. Tags are labels and
  stay open to everyone.
- An urgent safety ticket (emergency, self-harm, fraud) is made less urgent, or moved out of the
  safety categories (which would let its priority be lowered next), only by a supervisor,
  whoever holds it.
- Notes on a colleague's claimed ticket are the assignee's or a supervisor's to add; anyone may
  note on an unclaimed ticket for whoever takes it. A colleague with something to add tells the
  assignee, or a supervisor assigns the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.common.events.contracts.helpdesk import Priority
from services.helpdesk.domain.errors import ClaimedByOther, NeedsSupervisor
from services.helpdesk.domain.parts import Person
from services.helpdesk.domain.tickets import Category

if TYPE_CHECKING:
    from services.helpdesk.domain.ticket import Ticket

SAFETY_CATEGORIES = frozenset({Category.EMERGENCY, Category.SELF_HARM, Category.FRAUD})


@dataclass(frozen=True)
class Refusal:
    message: str
    needs_supervisor: bool  # otherwise: the ticket is a colleague's


def refuse(refusal: Refusal, *, assignee: Person | None, version: int) -> None:
    if refusal.needs_supervisor:
        raise NeedsSupervisor(refusal.message)
    raise ClaimedByOther(
        refusal.message,
        assignee=assignee.model_dump() if assignee else None,
        current_version=version,
    )


def _colleagues(ticket: Ticket, actor_id: str) -> str | None:
    assignee = ticket.assignee
    return assignee.name if assignee and assignee.id != actor_id else None


def field_change(
    ticket: Ticket,
    actor_id: str,
    *,
    supervisor: bool,
    priority: Priority | None,
    category: Category | None,
) -> Refusal | None:
    if supervisor:
        return None
    triage = (priority is not None and priority is not ticket.priority) or (
        category is not None and category is not ticket.category
    )
    holder = _colleagues(ticket, actor_id)
    if triage and holder:
        return Refusal(
            f"This ticket is claimed by {holder}; only they or a supervisor can change its "
            "priority or category.",
            needs_supervisor=False,
        )
    urgent_safety = ticket.priority is Priority.URGENT and ticket.category in SAFETY_CATEGORIES
    lowered = (priority is not None and priority is not Priority.URGENT) or (
        category is not None and category not in SAFETY_CATEGORIES
    )
    if urgent_safety and lowered:
        return Refusal(
            "Lowering an urgent safety ticket (emergency, self-harm, fraud) needs a supervisor.",
            needs_supervisor=True,
        )
    return None


def note(ticket: Ticket, actor_id: str, *, supervisor: bool) -> Refusal | None:
    holder = _colleagues(ticket, actor_id)
    if holder and not supervisor:
        return Refusal(
            f"This ticket is claimed by {holder}; only they or a supervisor can add notes to it.",
            needs_supervisor=False,
        )
    return None
