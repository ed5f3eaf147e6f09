"""Reading the deployment files the way Docker Compose and pydantic-settings read them.

Nothing here needs a Docker engine: docker-compose.yml is parsed with PyYAML (merge keys
included, as Compose does), `${...}` interpolation is done like Compose does it, and the
environment variable names a settings class reads are worked out from its fields.
"""

from __future__ import annotations

import importlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
KAFKA_POM = ROOT / "deploy" / "kafka" / "pom.xml"
KAFKA_PROPERTIES_TEMPLATE = ROOT / "deploy" / "kafka" / "server.properties.template"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
PROMETHEUS_LOCAL_TEMPLATE = ROOT / "deploy" / "prometheus" / "prometheus.local.yml.template"
PROMETHEUS_RULES_DIR = ROOT / "deploy" / "prometheus" / "rules"
GRAFANA_DIR = ROOT / "deploy" / "grafana"


@dataclass(frozen=True)
class Deployed:
    """Something docker-compose.yml runs from our image, with the settings class it reads."""

    name: str
    module: str
    settings_module: str
    settings_class: str

    def settings_type(self) -> type[BaseSettings]:
        settings_type: type[BaseSettings] = getattr(
            importlib.import_module(self.settings_module), self.settings_class
        )
        return settings_type


SERVICES = tuple(
    Deployed(name, f"services.{name}", f"services.{name}.settings", cls)
    for name, cls in (
        ("line_gateway", "LineGatewaySettings"),
        ("tablet_lending", "TabletLendingSettings"),
        ("ai_chat", "AiChatSettings"),
        ("helpdesk", "HelpdeskSettings"),
    )
)
SIMULATORS = (
    Deployed(
        "line_simulator",
        "tools.line_simulator",
        "tools.line_simulator.settings",
        "SimulatorSettings",
    ),
    Deployed(
        "openai_server",
        "tools.openai_server",
        "tools.openai_server.settings",
        "OpenAIServerSettings",
    ),
)

# What a production host exports before `docker compose up` (test values, not placeholders).
PRODUCTION_ENV = {
    "LINE_CHANNEL_SECRET": "test-channel-secret-0123456789abcdef",
    "LINE_CHANNEL_ACCESS_TOKEN": "test-channel-access-token-0123456789",
    "GRAFANA_ADMIN_PASSWORD": "test-grafana-admin-password",
    "HELPDESK_SESSION_SECRET": "test-helpdesk-session-secret-0123456789abcdef",
    "TABLET_LENDING_TOKEN_SECRET": "test-tablet-lending-token-secret-0123456789",
    "LINK_CODE_SECRET": "test-link-code-secret-0123456789abcdefgh",
    "LENDING_CONTACT_SECRET": "test-lending-contact-secret-0123456789abcd",
    "PREFERRED_NAME_SECRET": "test-preferred-name-secret-0123456789abcdef",
}


# -- docker-compose.yml ----------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return document


def compose_service(name: str) -> dict[str, Any]:
    service: dict[str, Any] = compose()["services"][name]
    return service


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's `environment`, in either of Compose's two forms, as strings."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in raw)
        return {key: value for key, value in pairs}
    return {str(key): "" if value is None else str(value) for key, value in raw.items()}


def published_ports(service: Mapping[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) for each short-syntax `ports` entry."""
    pairs = []
    for entry in service.get("ports") or []:
        parts = str(entry).split(":")
        assert len(parts) in (2, 3), f"unexpected ports entry {entry!r}"
        pairs.append((int(parts[-2]), int(parts[-1].split("/")[0])))
    return pairs


def volume_mounts(service: Mapping[str, Any]) -> dict[str, str]:
    """Container path -> source (a named volume or a host path) for short-syntax `volumes`."""
    mounts = {}
    for entry in service.get("volumes") or []:
        source, target, *_mode = str(entry).split(":")
        mounts[target] = source
    return mounts


def image_tag(image: str) -> tuple[str, str]:
    name, _, tag = image.rpartition(":")
    return name, tag


# -- interpolation, as Compose does it ------------------------------------------------------------

_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<invalid>))"
)


class MissingVariableError(LookupError):
    """Compose would refuse the file: a `${VAR:?message}` variable is unset or empty."""


def interpolate(text: str, env: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["bare"]:
            return env.get(match["bare"], "")
        if match["braced"] is None:
            raise ValueError(f"invalid interpolation in {text!r}")
        name, op, arg = match["braced"], match["op"], match["arg"] or ""
        value = env.get(name)
        unset_or_empty = not value
        if op is None:
            return value or ""
        if op == ":-":
            return arg if unset_or_empty else str(value)
        if op == "-":
            return arg if value is None else value
        if (op == ":?" and unset_or_empty) or (op == "?" and value is None):
            raise MissingVariableError(f"{name}: {arg}")
        return str(value)

    return _INTERPOLATION.sub(substitute, text)


def interpolated(document: Any, env: Mapping[str, str]) -> Any:
    """The whole document with every string interpolated."""
    if isinstance(document, str):
        return interpolate(document, env)
    if isinstance(document, list):
        return [interpolated(item, env) for item in document]
    if isinstance(document, dict):
        return {key: interpolated(value, env) for key, value in document.items()}
    return document


# -- what a settings class reads -------------------------------------------------------------------


def accepted_env_names(settings_type: type[BaseSettings]) -> dict[str, str]:
    """Environment variable name (upper case) -> the field it sets.

    An aliased field is read only under its alias (the prefix does not apply); any other field
    under env_prefix + field name. Names are compared upper case (case_sensitive is off).
    """
    assert not settings_type.model_config.get("case_sensitive"), "names compared upper case"
    assert not settings_type.model_config.get("env_nested_delimiter"), "nested names unsupported"
    prefix = settings_type.model_config.get("env_prefix", "")
    names: dict[str, str] = {}
    for field_name, field in settings_type.model_fields.items():
        alias = field.validation_alias or field.alias
        if isinstance(alias, AliasChoices):
            for choice in alias.choices:
                assert isinstance(choice, str), f"{field_name}: alias paths are not env names"
                names[choice.upper()] = field_name
        elif isinstance(alias, str):
            names[alias.upper()] = field_name
        else:
            assert alias is None, f"{field_name}: unexpected alias {alias!r}"
            names[f"{prefix}{field_name}".upper()] = field_name
    return names


def prefix_of(settings_type: type[BaseSettings]) -> str:
    prefix = settings_type.model_config.get("env_prefix", "")
    assert prefix, f"{settings_type.__name__} has no env_prefix"
    return prefix


# -- other files ---------------------------------------------------------------------------------


def kafka_version_in_pom() -> str:
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = ET.parse(KAFKA_POM).getroot().find("m:properties/m:kafka.version", namespace)
    assert version is not None, f"no <kafka.version> in {KAFKA_POM}"
    assert version.text, f"empty <kafka.version> in {KAFKA_POM}"
    return version.text.strip()


def kafka_template_properties() -> dict[str, str]:
    properties = {}
    for raw in KAFKA_PROPERTIES_TEMPLATE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            properties[key.strip()] = value.strip()
    return properties


def kafka_env_to_property(name: str) -> str:
    """apache/kafka's rule: KAFKA_ dropped, _ -> ., __ -> _, ___ -> -, lower case."""
    key = name.removeprefix("KAFKA_")
    key = re.sub(r"(?<!_)_(?!_)", ".", key)
    return key.replace("___", "-").replace("__", "_").lower()


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def rules() -> list[dict[str, Any]]:
    """Every recording and alert rule in deploy/prometheus/rules."""
    return [
        rule
        for path in sorted(PROMETHEUS_RULES_DIR.glob("*.yml"))
        for group in load_yaml(path)["groups"]
        for rule in group["rules"]
    ]
