"""The topic map says who really produces and consumes each topic, in the code and the README.

Consumers are read from every service's `route(TOPIC, ...)` and `recognising(TOPIC, ...)` calls,
producers from every place a service publishes to a topic (`topic=TOPIC` or `.emit(TOPIC, ...)`),
from the source itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from services.common.kafka import topics
from services.common.kafka.topics import ALL_TOPICS

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("ai_chat", "helpdesk", "line_gateway", "tablet_lending")
CONSTANTS = {name: spec for name, spec in vars(topics).items() if spec in ALL_TOPICS}


def _topic(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) and node.id in CONSTANTS else None


def uses(service: str) -> tuple[set[str], set[str]]:
    """(topics the service consumes, topics it produces), as topic names."""
    consumed: set[str] = set()
    produced: set[str] = set()
    for path in (ROOT / "services" / service).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            first = _topic(node.args[0]) if node.args else None
            # A shared route list names its topic at the call too (the programme projection's).
            if name in ("route", "recognising", "programme_routes") and first:
                consumed.add(CONSTANTS[first].name)
            if name == "emit" and first:
                produced.add(CONSTANTS[first].name)
            for keyword in node.keywords:
                if keyword.arg == "topic" and (found := _topic(keyword.value)):
                    produced.add(CONSTANTS[found].name)
    return consumed, produced


def test_each_topic_names_its_real_producers_and_consumers() -> None:
    found = {service: uses(service) for service in SERVICES}
    for spec in ALL_TOPICS:
        consumers = {s for s in SERVICES if spec.name in found[s][0]}
        producers = {s for s in SERVICES if spec.name in found[s][1]}
        assert set(spec.consumers) == consumers, spec.name
        assert set(spec.producers) == producers, spec.name


def test_the_readme_topic_table_matches_the_code() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Topic map", 1)[1].split("\n\n", 2)[1]
    rows: dict[str, tuple[set[str], set[str]]] = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        name = cells[0].strip("`")
        services = [set(re.findall(r"\b(?:" + "|".join(SERVICES) + r")\b", c)) for c in cells]
        rows[name] = (services[2], services[3])
    for spec in ALL_TOPICS:
        assert spec.name in rows, f"{spec.name} is missing from the README's topic map"
        producers, consumers = rows[spec.name]
        assert producers == set(spec.producers), spec.name
        assert consumers == set(spec.consumers), spec.name
