# The project's commands. Each installs what it needs into .venv first (from requirements.lock,
# so a fresh machine gets exactly what CI tested) and keeps Dagster's state in .dagster_home.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-lock
UV_VERSION := 0.13.8
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: install run test dev lint bench lock clean

install: $(STAMP) $(DAGSTER_HOME)/dagster.yaml

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: pipelines/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp pipelines/dagster.yaml $@

run: install  ## full refresh of every asset into warehouse/cloud.duckdb, then a summary
	$(BIN)/crw refresh

test: install  ## the whole test suite
	$(BIN)/pytest

bench: install  ## refresh timings by phase, floors, import time, 1-1,000 synthetic reports
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

dev: install  ## Dagster UI + daemon (schedules, sensors) on http://127.0.0.1:3000
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lock:  ## re-resolve requirements.lock after editing pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -q -o requirements.lock

clean:
	rm -rf $(VENV) $(DAGSTER_HOME) warehouse/*.duckdb
