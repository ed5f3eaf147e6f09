"""The committed JSON Schemas are the published contracts: current models must match them."""

from __future__ import annotations

import json
from copy import deepcopy

from services.common.events import Contract, registry
from services.common.events.schema import (
    SCHEMA_DIR,
    breaking_changes,
    render,
    schema_file_name,
    schema_of,
)


def platform_contracts() -> list[type[Contract]]:
    # Tests register contracts of their own (test.*); only the platform's are published.
    return [model for model in registry if model.__module__.startswith("services.")]


def test_every_contract_has_an_up_to_date_committed_schema() -> None:
    stale = []
    for model in platform_contracts():
        path = SCHEMA_DIR / schema_file_name(model)
        if not path.exists() or path.read_text(encoding="utf-8") != render(schema_of(model)):
            stale.append(path.name)
    assert not stale, f"run `make schemas` and review the diff: {stale}"


def test_current_models_are_compatible_with_committed_schemas() -> None:
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        committed = json.loads(path.read_text(encoding="utf-8"))
        model = registry.lookup(committed["x-event-type"], committed["x-event-version"])
        assert model is not None, f"{path.name} has no model any more"
        assert breaking_changes(committed, schema_of(model)) == [], path.name


def _message_schema() -> dict:  # type: ignore[type-arg]
    model = registry.lookup("line.message.received", 1)
    assert model is not None
    return schema_of(model)


def test_compatibility_check_catches_removed_retyped_and_newly_required() -> None:
    old = _message_schema()
    removed = deepcopy(old)
    del removed["properties"]["text"]
    assert breaking_changes(old, removed) == ["property 'text' was removed"]

    retyped = deepcopy(old)
    retyped["properties"]["is_redelivery"] = {"type": "string"}
    assert breaking_changes(old, retyped) == ["property 'is_redelivery' changed type"]

    required = deepcopy(old)
    required["required"] = [*old["required"], "text"]
    assert breaking_changes(old, required) == ["property 'text' became required"]


def test_adding_an_optional_property_is_compatible() -> None:
    old = _message_schema()
    new = deepcopy(old)
    new["properties"]["quote_token"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert breaking_changes(old, new) == []
