"""JSON Schema for every event contract, and the compatibility rule between versions.

`python -m services.common.events.schema export` writes one schema per (type, version) into
`services/common/events/schemas/`. Those files are the published contract: the test suite fails
when a model no longer matches its file (export again, on purpose) and when a change would break
a consumer built against the committed file.

Compatible means: every property a reader knew is still there with the same type, and nothing a
reader might not send became required. New optional properties are fine (readers ignore extras).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from services.common.events import registry
from services.common.events.envelope import Contract

SCHEMA_DIR = Path(__file__).parent / "schemas"


def schema_file_name(model: type[Contract]) -> str:
    return f"{model.event_type}.v{model.version}.json"


def schema_of(model: type[Contract]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_file_name(model),
        "x-event-type": model.event_type,
        "x-event-version": model.version,
        **schema,
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def export(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for model in registry:
        if not model.__module__.startswith("services."):
            continue
        path = directory / schema_file_name(model)
        path.write_text(render(schema_of(model)), encoding="utf-8")
        written.append(path)
    return written


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        resolved: dict[str, Any] = schema["$defs"][ref.removeprefix("#/$defs/")]
        return resolved
    return node


def _type_signature(schema: dict[str, Any], node: dict[str, Any]) -> Any:
    """A comparable summary of a property's type (enough to catch a changed type)."""
    node = _resolve(schema, node)
    if "anyOf" in node:
        return sorted(str(_type_signature(schema, option)) for option in node["anyOf"])
    if "enum" in node:
        return ("enum", sorted(map(str, node["enum"])))
    if node.get("type") == "array":
        return ("array", _type_signature(schema, node.get("items", {})))
    if node.get("type") == "object" and "properties" in node:
        return ("object", sorted(node["properties"]))
    return node.get("type", node.get("const", "any"))


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems = []
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"property {name!r} was removed")
            continue
        if _type_signature(old, old_prop) != _type_signature(new, new_props[name]):
            problems.append(f"property {name!r} changed type")
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(newly_required):
        problems.append(f"property {name!r} became required")
    # An enum that lost a value breaks producers that still send it.
    for name, old_prop in old_props.items():
        if name in new_props:
            old_enum = set(_resolve(old, old_prop).get("enum", []))
            new_enum = set(_resolve(new, new_props[name]).get("enum", []))
            if old_enum and new_enum and not old_enum <= new_enum:
                problems.append(f"enum {name!r} lost values {sorted(old_enum - new_enum)}")
    return problems


def main(argv: list[str]) -> int:
    if argv[1:] == ["export"]:
        for path in export():
            print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)  # noqa: T201
        return 0
    print("usage: python -m services.common.events.schema export", file=sys.stderr)  # noqa: T201
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
