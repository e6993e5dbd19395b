"""Dagster's embedded SQLite run history, with the event log's connections kept open.

Dagster's `SqliteEventLogStorage` creates an engine and a connection for every write and
closes them again; closing the last connection to a WAL database checkpoints it (the WAL is
fsynced, copied into the database file, which is fsynced too). A refresh stores ~600 events,
some of them twice (run database and cross-run index), so the run history cost several times
the data work. Here each database (a run's own, the index) keeps one connection for as long as
the storage lives, and a commit in WAL mode runs with `synchronous=NORMAL`: the WAL is
appended to, and fsynced only at a checkpoint.

Why this is safe with several processes (the webserver, the daemon and each run open the same
files): SQLite's WAL mode is made for that. Each process has its own connection, writers
serialize on the database's write lock and wait up to Dagster's busy timeout (30 s) for it,
readers see every committed transaction through the shared `-shm` index, and a connection
holds no lock between transactions. Within a process, Dagster's own lock already serializes
every use of the storage, so one connection per database is never used by two threads at
once. A process started by `fork` never uses its parent's connections (SQLite forbids that):
it opens its own.

What `synchronous=NORMAL` gives up: after a power loss or an OS crash (not a crash of the
process), the last transactions committed before it can be missing from the run history,
which stays consistent (SQLite's WAL guarantees no corruption in this mode). The warehouse
is not in these files: it is a DuckDB file published by its own fsync and rename.

The webserver shows a running run's events by watching its database file; in WAL mode a
commit changes the `-wal` file, not the database, so the watch here follows both.
"""

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy
from dagster._core.event_api import EventHandlerFn
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage,
    SqliteEventLogStorageWatchdog,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from watchdog.events import FileSystemEvent
from watchdog.observers import Observer

OPEN_DATABASES = 16  # the index and the latest runs; a webserver reading old runs reopens them


def _set_pragmas(dbapi_connection: Any, _record: object) -> None:
    """NORMAL only where the database is in WAL mode (Dagster creates every history database
    so): in a rollback journal, NORMAL could corrupt the file on a power loss."""
    cursor = dbapi_connection.cursor()
    try:
        (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
        if mode == "wal":
            cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def kept_open_engine(conn_string: str) -> Engine:
    """One connection, reused across threads (the caller serializes them) and transactions."""
    engine = sqlalchemy.create_engine(
        conn_string,
        poolclass=StaticPool,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
    )
    sqlalchemy.event.listen(engine, "connect", _set_pragmas)
    return engine


class _WalWatchdog(SqliteEventLogStorageWatchdog):
    """Dagster's watch of a run's database, also woken by a commit appended to its WAL."""

    def __init__(
        self,
        storage: SqliteEventLogStorage,
        run_id: str,
        callback: EventHandlerFn,
        cursor: str | None,
    ) -> None:
        super().__init__(storage, run_id, callback, cursor)
        self._patterns = [self._log_path, f"{self._log_path}-wal"]

    def on_modified(self, event: FileSystemEvent) -> None:
        self._process_log()


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's run-sharded SQLite event log with one open connection per database."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, opened on first use; the least recently used beyond
        OPEN_DATABASES is closed. Called with Dagster's `_db_lock` held."""
        if self._engines_pid != os.getpid():  # a forked child: leave the parent's alone
            for engine in self._engines.values():
                engine.dispose(close=False)
            self._engines = OrderedDict()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is None:
            engine = kept_open_engine(self.conn_string_for_shard(shard))
            self._engines[shard] = engine
            while len(self._engines) > OPEN_DATABASES:
                self._engines.popitem(last=False)[1].dispose()
        self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
                engine.dispose()  # a database just created in WAL mode: reconnect into NORMAL
            with engine.connect() as conn, conn.begin():
                yield conn

    def _close_all(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def watch(self, run_id: str, cursor: str | None, callback: EventHandlerFn) -> None:
        if not self._obs:
            self._obs = Observer()
            self._obs.start()
        watchdog = _WalWatchdog(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (
            watchdog,
            self._obs.schedule(watchdog, self._base_dir, recursive=True),
        )

    def wipe(self) -> None:
        self._close_all()  # the run databases are deleted: no connection may keep them alive
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._close_all()


class KeptOpenSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (runs, schedules as Dagster keeps them) with the event log
    above, which is where a run's writes go."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        super().__init__(base_dir, inst_data)
        stock = self._event_log_storage
        self._event_log_storage = KeptOpenSqliteEventLogStorage(stock._base_dir)
        stock.dispose()

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> "KeptOpenSqliteStorage":
        return cls.from_local(inst_data=inst_data, **config_value)
