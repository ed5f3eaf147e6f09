"""helpdesk's repositories."""

from services.helpdesk.store.tickets import TicketRepository

__all__ = ["TicketRepository"]
