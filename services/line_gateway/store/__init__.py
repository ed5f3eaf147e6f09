"""line_gateway's repositories: the only code here that touches MongoDB collections."""

from __future__ import annotations

from datetime import timedelta

from services.common.store import CollectionIndexes
from services.line_gateway.store.chat_groups import ChatGroupRepository
from services.line_gateway.store.deliveries import DeliveryRepository
from services.line_gateway.store.line_users import LineUser, LineUserRepository
from services.line_gateway.store.link_codes import LinkCodeRepository
from services.line_gateway.store.rich_menus import RichMenuRepository
from services.line_gateway.store.usage import (
    CounterShards,
    ShardLease,
    UsageRepository,
    month_of,
)
from services.line_gateway.store.webhook_events import WebhookEventRepository

__all__ = [
    "ChatGroupRepository",
    "CounterShards",
    "DeliveryRepository",
    "LineUser",
    "LineUserRepository",
    "LinkCodeRepository",
    "RichMenuRepository",
    "ShardLease",
    "UsageRepository",
    "WebhookEventRepository",
    "month_of",
]


def all_indexes(
    *,
    webhook_event_retention_days: int,
    link_code_retention_days: int = 30,
) -> list[CollectionIndexes]:
    return [
        WebhookEventRepository.indexes(retention_days=webhook_event_retention_days),
        LineUserRepository.indexes(),
        *DeliveryRepository.indexes(),
        ChatGroupRepository.indexes(),
        *UsageRepository.indexes(),
        RichMenuRepository.indexes(),
        *LinkCodeRepository.indexes(code_retention=timedelta(days=link_code_retention_days)),
    ]
