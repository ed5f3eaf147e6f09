# The Smart Senior Life platform. `make run` runs it all locally; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install system-packages kafka kubernetes-tools run up down status test test-cluster chaos failover lint format typecheck schemas clean

# CLUSTER=3: three Kafka nodes, a three-member replica set, two instances of every service
# (make up CLUSTER=3, make status CLUSTER=3, make down CLUSTER=3). Unset: the single-node stack.
CLUSTER ?=
STACK_ENV := $(if $(CLUSTER),SSLP_CLUSTER=$(CLUSTER))

help:
	@echo "make run      run the whole platform in the foreground (Ctrl-C stops it)"
	@echo "make up       start the same stack in the background; make down stops it; make status"
	@echo "make test     lint, type-check and run the full test suite on real Kafka and MongoDB"
	@echo "make chaos    1,000 senior messages per process SIGKILLed (its own stack): lost, doubled, ..."
	@echo "make up CLUSTER=3   the same on 3 Kafka nodes, a 3-member replica set, 2 instances each"
	@echo "make test-cluster   failover tests on their own cluster; make failover   its figures"
	@echo "make format   format the code; make schemas   re-export event JSON Schemas"

system-packages:
	@scripts/install-system-packages

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[local,dev]'
	@touch $(STAMP)

kafka: $(STAMP) system-packages
	@$(PY) -m tools.devstack fetch-kafka >/dev/null

# kustomize and the operators' CRDs for checking deploy/kubernetes (into .local/kubernetes).
kubernetes-tools: system-packages
	@scripts/fetch-kubernetes-tools >/dev/null

install: system-packages $(STAMP) kafka kubernetes-tools

run: install
	$(STACK_ENV) $(PY) -m tools.devstack run

up: install
	$(STACK_ENV) $(PY) -m tools.devstack up

down:
	@$(STACK_ENV) $(PY) -m tools.devstack down

status:
	@$(STACK_ENV) $(PY) -m tools.devstack status

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: install lint typecheck
	$(PY) -m pytest

chaos: install
	$(PY) -m bench.chaos

# Not in `make test` (.ci/run runs it after): the failover tests on a three-node cluster of their own.
test-cluster: install
	$(PY) -m pytest tests/cluster --cluster 3

failover: install
	$(PY) -m bench.chaos.failover

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

schemas: $(STAMP)
	$(PY) -m services.common.events.schema export

clean:
	rm -rf .local/stack test-artifacts
