# The project's commands. Each installs what it needs into .venv first (from requirements.lock,
# so a fresh machine gets exactly what CI tested) and keeps Dagster's state in .dagster_home.
# The libraries are compiled to bytecode at install: where Python may not write .pyc files
# (PYTHONDONTWRITEBYTECODE, a read-only venv) every process would compile Dagster again.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-lock
# dbt-duckdb, the bench's peer, in a venv of its own: its pins never move what requirements.lock
# tested (benchmarks/dbt_peer.py)
DBT_VENV := .venv-dbt
DBT_STAMP := $(DBT_VENV)/.installed-lock
DBT_LOCK := benchmarks/dbt/requirements.lock
UV_VERSION := 0.13.8
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: install run test check dev lint typecheck sqllint bench lock clean system-deps mutation \
	planted-bugs dbt-peer dbt-lock

install: $(STAMP) $(DAGSTER_HOME)/dagster.yaml

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: pipelines/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp pipelines/dagster.yaml $@

# Debian packages the charts and the tests need: a CJK font (the report is Chinese), Chromium
# (Playwright drives Debian's build; it never downloads a browser) and PostgreSQL (the tests
# start their own server from it). Installed with apt-get when missing and we are root (CI),
# waiting for another apt-get to finish; otherwise the charts say which font is missing and
# the tests that need the others skip with the reason (under CI=true the PostgreSQL ones fail
# instead).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || missing="$$missing fonts-noto-cjk fontconfig"; \
	command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
	  missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing (apt-get)"; \
	    apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
	      --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "system-deps: missing$$missing and apt-get unavailable (not root?):" \
	      "charts need the font, the tests that need the others skip" >&2; \
	  fi; \
	fi

run: install system-deps  ## full refresh of every asset into warehouse/cloud.duckdb, then a summary
	$(BIN)/crw refresh

# Two workers (pytest-xdist), each test file on one worker so its module fixtures are built
# once; each worker starts its own PostgreSQL and builds its own session warehouse.
TEST_WORKERS ?= 2

test: install system-deps  ## the whole test suite (browser tests included), on two workers
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

bench: install system-deps dbt-peer  ## refresh timings by phase, floors, import time, 1-1,000 reports, dbt-duckdb peer
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

dbt-peer: $(DBT_STAMP)  ## dbt-duckdb in .venv-dbt (from its own lock), the bench's peer

$(DBT_STAMP): $(DBT_LOCK) | install
	test -x $(DBT_VENV)/bin/python || python3 -m venv $(DBT_VENV)
	$(BIN)/uv pip sync -q --compile-bytecode --python $(DBT_VENV)/bin/python $(DBT_LOCK)
	touch $(DBT_STAMP)

dbt-lock: install  ## re-resolve benchmarks/dbt/requirements.lock after editing its requirements.in
	$(BIN)/uv pip compile benchmarks/dbt/requirements.in --universal --python-version 3.11 -q \
	  -o $(DBT_LOCK)

dev: install system-deps  ## Dagster UI + daemon (schedules, sensors) on http://127.0.0.1:3000
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

lint: install  ## ruff: lint and format
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install  ## pyright, strict on warehouse/ (settings in pyproject.toml)
	$(BIN)/pyright

sqllint: install  ## sqlfluff, DuckDB dialect, on the SQL models and the charts' queries (settings in .sqlfluff)
	$(BIN)/sqlfluff lint dbt_like_sql warehouse/reporting/charts/sql

check: lint typecheck sqllint test  ## everything CI runs: linters, type checker, then the tests

lock:  ## re-resolve requirements.lock after editing pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -q -o requirements.lock

clean:
	rm -rf $(VENV) $(DBT_VENV) $(DAGSTER_HOME) warehouse/*.duckdb mutants

mutation: install  ## mutation testing of the pure core against its unit tests (docs/testing.md); not in CI
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 >/dev/null
	$(BIN)/mutmut results
	$(BIN)/mutmut export-cicd-stats >/dev/null
	$(BIN)/python -c 'import json; s = json.load(open("mutants/mutmut-cicd-stats.json")); \
	  k, n = s["killed"], s["total"]; \
	  print("mutmut: %d of %d mutants killed (%.1f %%), %d survived" % (k, n, 100 * k / n, s["survived"]))'

planted-bugs: install system-deps  ## plant the 11 known bugs one at a time in copies, check the tests fail (docs/testing.md); not in CI
	$(BIN)/python -m tests.planted_bugs $(BUGS)
