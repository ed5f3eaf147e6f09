"""What an operator reads in /docs and in the README about the APIs, checked against the apps'
own OpenAPI documents (built in process: no stack needed)."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tools.devstack.stack import SERVICES

README = Path(__file__).resolve().parents[2] / "README.md"


@cache
def openapi(service: str) -> dict[str, Any]:
    app = importlib.import_module(f"services.{service}.app").create_app()
    document: dict[str, Any] = app.openapi()
    return document


def answer_schema(service: str, method: str, path: str) -> str:
    operation = openapi(service)["paths"][path][method]
    status = next(code for code in operation["responses"] if code.startswith("2"))
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    ref: str = schema.get("$ref") or schema["items"]["$ref"]
    return ref.rsplit("/", 1)[-1]


@pytest.mark.parametrize("service", SERVICES)
def test_every_model_in_the_docs_has_its_own_name(service: str) -> None:
    """Two models of one name make FastAPI show both under their module paths
    (`services__tablet_lending__api__sessions__SessionOut`), in /docs and in generated clients."""
    names = openapi(service).get("components", {}).get("schemas", {})
    assert [name for name in names if "__" in name] == []


def test_the_readme_says_what_each_session_endpoint_answers() -> None:
    session = {
        ("post", "/sessions"),
        ("get", "/sessions"),
        ("get", "/sessions/{session_id}"),
        ("post", "/sessions/{session_id}/cancel"),
    }
    registration = {
        ("post", "/sessions/{session_id}/registrations"),
        ("post", "/sessions/{session_id}/attendance"),
    }
    assert {answer_schema("tablet_lending", *op) for op in session} == {"SessionOut"}
    assert {answer_schema("tablet_lending", *op) for op in registration} == {"Registration"}
    [row] = [
        line for line in README.read_text().splitlines() if line.startswith("| `POST /sessions`")
    ]
    assert "every session endpoint answers the session" not in row
    assert "answer the registration they made or changed" in row
