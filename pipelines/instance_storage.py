"""The Dagster instance's storage, chosen by the environment: one dagster.yaml for a single
user (embedded SQLite in DAGSTER_HOME, nothing to set) and for a team (PostgreSQL, shared by
the webserver, the daemon and every run).

`pipelines/dagster.yaml` names this class as its `storage: custom:` and gives it three
settings blocks, each in Dagster's own schema with `env:` indirection: `sqlite`,
`postgres_url` and `postgres_host`. Setting DAGSTER_PG_URL selects the second, DAGSTER_PG_HOST
the third, neither the first; Dagster then resolves the chosen block (a variable it names but
that is unset is an error, not a silent fall-back to SQLite) and builds the storage: Dagster's
own PostgreSQL storage, or its SQLite storage with the event log's connections kept open
(`pipelines/sqlite_history.py`, which says why that is safe).

Dagster's PostgreSQL storage opens a new server connection for every statement (SQLAlchemy's
`NullPool`): a refresh opened 1,943 connections, each costing a server process and a
login. Its webserver keeps one open connection per storage instead
(`optimize_for_webserver`); here every process does the same (one connection held, more only
while several threads write at once), without the webserver's statement timeout.
"""

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster._config import process_config, resolve_to_config_type
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.storage.base_storage import DagsterStorage
from dagster._serdes import ConfigurableClass, ConfigurableClassData

from pipelines.sqlite_history import KeptOpenSqliteStorage

POSTGRES_URL_VARIABLE = "DAGSTER_PG_URL"
POSTGRES_HOST_VARIABLE = "DAGSTER_PG_HOST"
BLOCKS = ("sqlite", "postgres_url", "postgres_host")
POOL_RECYCLE_SECONDS = 3600  # reconnect hourly, as the webserver does by default
POOL_OVERFLOW = 10  # connections beyond the held one, while threads write at once
NO_STATEMENT_TIMEOUT = 0


def selected_block() -> str:
    """Which settings block of dagster.yaml the environment selects."""
    if os.environ.get(POSTGRES_URL_VARIABLE):
        return "postgres_url"
    if os.environ.get(POSTGRES_HOST_VARIABLE):
        return "postgres_host"
    return "sqlite"


def _resolved(storage_class: type[ConfigurableClass], config: Mapping[str, Any]) -> dict:
    """The settings as Dagster resolves them for that class (env: lookups, defaults)."""
    result = process_config(resolve_to_config_type(storage_class.config_type()), config)
    if not result.success:
        raise DagsterInvalidConfigError(
            f"dagster.yaml storage for {storage_class.__name__}", result.errors, config
        )
    return result.value


class EnvironmentSelectedStorage(DagsterStorage, ConfigurableClass):
    """Never instantiated: `from_config_value` returns the SQLite or the PostgreSQL storage."""

    @classmethod
    def config_type(cls) -> dict:
        # Each block is checked against its storage's schema once chosen; the unchosen ones
        # name variables that are unset, so they must not be resolved here.
        return {block: dg.Permissive() for block in BLOCKS}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> DagsterStorage:
        block = selected_block()
        if block == "sqlite":
            storage_class = KeptOpenSqliteStorage
        else:  # imported only when chosen: a single user's `make run` never loads the driver
            from dagster_postgres import DagsterPostgresStorage as storage_class
        settings = _resolved(storage_class, config_value[block])
        storage = storage_class.from_config_value(inst_data, settings)
        if block != "sqlite":
            for part in (storage.run_storage, storage.event_log_storage):
                part.optimize_for_webserver(
                    NO_STATEMENT_TIMEOUT, POOL_RECYCLE_SECONDS, POOL_OVERFLOW
                )
        return storage
