"""Which payload model belongs to which (event type, version)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from services.common.events.envelope import Contract

C = TypeVar("C", bound="type[Contract]")


class ContractRegistry:
    def __init__(self) -> None:
        self._models: dict[tuple[str, int], type[Contract]] = {}

    def register(self, model: C) -> C:
        key = (model.event_type, model.version)
        existing = self._models.get(key)
        if existing is not None and existing is not model:
            raise ValueError(f"{key} is already registered to {existing.__name__}")
        self._models[key] = model
        return model

    def lookup(self, event_type: str, version: int) -> type[Contract] | None:
        return self._models.get((event_type, version))

    def __iter__(self) -> Iterator[type[Contract]]:
        return iter(sorted(self._models.values(), key=lambda m: (m.event_type, m.version)))


registry = ContractRegistry()
contract = registry.register
