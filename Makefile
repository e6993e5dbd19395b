# The project's commands. Each installs what it needs into .venv first (from requirements.lock,
# so a fresh machine gets exactly what CI tested) and keeps Dagster's state in .dagster_home.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-lock
UV_VERSION := 0.13.8
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: install run test check dev lint typecheck sqllint bench lock clean system-deps

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

# Debian packages the charts and the browser tests need: a CJK font (the report is Chinese) and
# Chromium (Playwright drives Debian's build; it never downloads a browser). Installed with
# apt-get when missing and we are root (CI); otherwise the charts say which font is missing and
# the browser tests skip with the reason.
system-deps:
	@command -v chromium >/dev/null && fc-list | grep -qi 'Noto Sans CJK' || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium fonts-noto-cjk (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium fonts-noto-cjk fontconfig >/dev/null; \
	  else \
	    echo "system-deps: chromium and/or fonts-noto-cjk missing and apt-get unavailable" \
	      "(not root?): charts need the font, browser tests will skip" >&2; \
	  fi; }

run: install system-deps  ## full refresh of every asset into warehouse/cloud.duckdb, then a summary
	$(BIN)/crw refresh

test: install system-deps  ## the whole test suite (browser tests included)
	$(BIN)/pytest

bench: install system-deps  ## refresh timings by phase, floors, import time, 1-1,000 reports
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

dev: install system-deps  ## Dagster UI + daemon (schedules, sensors) on http://127.0.0.1:3000
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

lint: install  ## ruff: lint and format
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install  ## pyright, strict on warehouse/ (settings in pyproject.toml)
	$(BIN)/pyright

sqllint: install  ## sqlfluff, DuckDB dialect, on the SQL models (settings in .sqlfluff)
	$(BIN)/sqlfluff lint dbt_like_sql

check: lint typecheck sqllint test  ## everything CI runs: linters, type checker, then the tests

lock:  ## re-resolve requirements.lock after editing pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -q -o requirements.lock

clean:
	rm -rf $(VENV) $(DAGSTER_HOME) warehouse/*.duckdb
