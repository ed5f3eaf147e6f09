"""helpdesk's repositories: the only code here that talks to MongoDB collections."""

from services.helpdesk.store.attachments import AttachmentStore, StoredAttachment
from services.helpdesk.store.context import ContextRepository, ConversationTurn
from services.helpdesk.store.feed import ChangeFeed
from services.helpdesk.store.mail import MailIntakeLog, MailOutbox, MailTakenAlready, OutgoingMail
from services.helpdesk.store.safety_reviews import SafetyReviewRepository
from services.helpdesk.store.staff_tools import CannedResponseRepository, PresenceRepository
from services.helpdesk.store.tickets import TicketRepository

__all__ = [
    "AttachmentStore",
    "CannedResponseRepository",
    "ChangeFeed",
    "ContextRepository",
    "ConversationTurn",
    "MailIntakeLog",
    "MailOutbox",
    "MailTakenAlready",
    "OutgoingMail",
    "PresenceRepository",
    "SafetyReviewRepository",
    "StoredAttachment",
    "TicketRepository",
]
