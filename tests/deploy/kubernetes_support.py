"""Rendering deploy/kubernetes and checking it the ways this machine allows, without a cluster.

- Rendering: the real kustomize (`scripts/fetch-kubernetes-tools` builds it from the Go module
  proxy into .local/kubernetes/bin, once).
- Built-in kinds: kubernetes-validate's strict schemas of one Kubernetes version (unknown fields
  are errors, as `kubectl apply --validate=strict` makes them).
- Custom resources: the OpenAPI schemas of the operators' own CRDs (fetched by the same script)
  with every object made closed. An API server prunes unknown fields of a custom resource in
  silence, so a misspelt field would otherwise pass here and vanish there.
- KEDA's scaler metadata is a free-form map in its CRD: its keys are checked against the ones
  KEDA's Kafka scaler reads in its own source (the Go module's pkg/scalers/kafka_scaler.go).
"""

from __future__ import annotations

import copy
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from tests.deploy.support import ROOT

KUBERNETES_DIR = ROOT / "deploy" / "kubernetes"
OVERLAYS = ("staging", "production")
FETCH_SCRIPT = ROOT / "scripts" / "fetch-kubernetes-tools"
README = KUBERNETES_DIR / "README.md"

Object = dict[str, Any]


def versions() -> dict[str, str]:
    pairs = {}
    for raw in (KUBERNETES_DIR / "versions.env").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


@cache
def tools_dir() -> Path:
    """.local/kubernetes, fetched by the project's own script if it is not there yet."""
    done = subprocess.run(
        [str(FETCH_SCRIPT)], capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


@cache
def render(path: str) -> tuple[Object, ...]:
    """`kustomize build` of a folder under deploy/kubernetes, as parsed objects."""
    kustomize = tools_dir() / "bin" / "kustomize"
    done = subprocess.run(
        [str(kustomize), "build", str(KUBERNETES_DIR / path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


def overlay(name: str) -> tuple[Object, ...]:
    return render(f"overlays/{name}")


def of_kind(objects: tuple[Object, ...], kind: str) -> list[Object]:
    return [obj for obj in objects if obj["kind"] == kind]


def named(objects: tuple[Object, ...], kind: str, name: str) -> Object:
    """The one object of a kind by name; generated ConfigMaps are found by their base name."""
    found = [
        obj
        for obj in of_kind(objects, kind)
        if obj["metadata"]["name"] == name
        or re.fullmatch(rf"{re.escape(name)}-[a-z0-9]{{10}}", obj["metadata"]["name"])
    ]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def namespace_of(objects: tuple[Object, ...]) -> str:
    (namespace,) = of_kind(objects, "Namespace")
    name: str = namespace["metadata"]["name"]
    return name


# -- schemas -----------------------------------------------------------------------------------


def validate_builtin(obj: Object) -> None:
    """Raises kubernetes_validate.ValidationError for an object its schema refuses."""
    kubernetes_validate.validate(obj, versions()["KUBERNETES_VERSION"], strict=True)


def is_builtin(obj: Object) -> bool:
    try:
        validate_builtin(obj)
    except kubernetes_validate.SchemaNotFoundError:
        return False
    except kubernetes_validate.ValidationError:
        return True
    return True


def _closed(schema: Any) -> Any:
    """Every object schema that lists its properties refuses others (unless it says it keeps
    unknown fields), like the API server's pruning but loud."""
    if isinstance(schema, dict):
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        for value in schema.values():
            _closed(value)
    elif isinstance(schema, list):
        for value in schema:
            _closed(value)
    return schema


@cache
def crd_schemas() -> dict[tuple[str, str], Any]:
    """(apiVersion, kind) -> the closed OpenAPI schema of that version of the CRD."""
    schemas = {}
    for path in sorted((tools_dir() / "crds").glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            spec = crd["spec"]
            for version in spec["versions"]:
                schema = _closed(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
                # metadata is the API server's ObjectMeta, not the CRD's to describe.
                schema["properties"]["metadata"] = {"type": "object"}
                schemas[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = schema
    return schemas


def crd_errors(obj: Object) -> list[str]:
    schema = crd_schemas()[(obj["apiVersion"], obj["kind"])]
    return [
        f"{'.'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in jsonschema.Draft7Validator(schema).iter_errors(obj)
    ]


def keda_module() -> Path:
    return (
        tools_dir()
        / "gomod"
        / "github.com"
        / "kedacore"
        / "keda"
        / f"v2@{versions()['KEDA_VERSION']}"
    )


@cache
def kafka_scaler_keys() -> frozenset[str]:
    """The trigger metadata keys KEDA's Kafka scaler reads, from its source."""
    source = (keda_module() / "pkg" / "scalers" / "kafka_scaler.go").read_text(encoding="utf-8")
    constants = dict(re.findall(r"\b(\w+)\s*=\s*\"(\w+)\"", source))
    keys = set(re.findall(r"TriggerMetadata\[\"(\w+)\"\]", source))
    for ident in re.findall(r"TriggerMetadata\[(\w+)\]", source):
        if ident in constants:
            keys.add(constants[ident])
    return frozenset(keys)


# -- pods --------------------------------------------------------------------------------------


def containers(workload: Object) -> list[Object]:
    found: list[Object] = workload["spec"]["template"]["spec"]["containers"]
    return found


def env_sources(container: Object) -> Iterator[tuple[str, Object]]:
    for entry in container.get("env", []):
        yield entry["name"], entry


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())
