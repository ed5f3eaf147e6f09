"""line_gateway's repositories: the only code here that touches MongoDB collections."""

from services.line_gateway.store.deliveries import DeliveryAttempt, DeliveryRepository
from services.line_gateway.store.line_users import LineUser, LineUserRepository
from services.line_gateway.store.webhook_events import WebhookEventRepository

__all__ = [
    "DeliveryAttempt",
    "DeliveryRepository",
    "LineUser",
    "LineUserRepository",
    "WebhookEventRepository",
]


def all_indexes(*, webhook_event_retention_days: int) -> list:  # type: ignore[type-arg]
    return [
        WebhookEventRepository.indexes(retention_days=webhook_event_retention_days),
        LineUserRepository.indexes(),
        DeliveryRepository.indexes(),
    ]
