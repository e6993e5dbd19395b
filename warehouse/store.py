"""The DuckDB file: how a refresh writes it and how readers open it.

DuckDB lets one process hold a file read-write, and while it does every other process fails
to open it, even read-only. So a refresh never writes the published file: it copies it to a
private working file, rebuilds tables there (each in its own transaction), closes it and
atomically renames it over the published one. Readers connected before the rename keep their
snapshot, new connections see the new one, and a refresh killed halfway leaves the published
file exactly as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from warehouse import settings

if TYPE_CHECKING:  # pandas costs ~2 s to import; readers (`crw query`) never need it
    import pandas as pd

LOCK_TIMEOUT_SECONDS = 600
WORKING_SUFFIX = ".building"


def connect_readonly(
    path: Path | None = None, *, writable: tuple[Path, ...] = ()
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (never blocks a refresh) that can
    touch nothing else: no other file (a read-only connection still allows `COPY … TO` and
    `read_text`), no extension loads or installs, no network, and its settings locked so a
    query cannot undo any of that. `writable` names the only files a `COPY` may write (an
    export the user asked for)."""
    path = path or settings.warehouse_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: no warehouse yet; run `make run` first")
    con = duckdb.connect(
        str(path),
        read_only=True,
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
        },
    )
    try:
        if writable:
            listed = ", ".join(sql_literal(str(p)) for p in writable)
            con.execute(f"SET allowed_paths = [{listed}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextlib.contextmanager
def _refresh_lock(published: Path) -> Iterator[None]:
    """One refresh at a time per warehouse file, whoever starts it (Dagster, CLI, tests)."""
    lock_path = published.with_name(published.name + ".lock")
    with lock_path.open("w") as handle:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{published}: another refresh holds {lock_path}") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_file_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` whole: a reader (a browser, the Dagster UI) opening it sees
    the old file or the new one, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class _Rejected(Exception):
    """A gate refused the new version of a table: roll back, keep the old one."""


class WarehouseBuild:
    """A refresh in progress: a private working copy that is published whole or not at all."""

    def __init__(self, published: Path | None = None):
        self.published = published or settings.warehouse_path()
        self.working = self.published.with_name(
            f"{self._working_prefix}{os.getpid()}{WORKING_SUFFIX}"
        )
        self.connection: duckdb.DuckDBPyConnection | None = None
        self.changed = False
        self._lock: contextlib.ExitStack | None = None

    @property
    def _working_prefix(self) -> str:
        return f".{self.published.name}."

    def open(self) -> duckdb.DuckDBPyConnection:
        self.published.parent.mkdir(parents=True, exist_ok=True)
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(_refresh_lock(self.published))
        # Under the lock no other build is running, so any working file left here belongs to
        # a refresh that was killed before it could clean up.
        for stale in self.published.parent.glob(f"{self._working_prefix}*{WORKING_SUFFIX}*"):
            stale.unlink(missing_ok=True)
        if self.published.exists():
            shutil.copyfile(self.published, self.working)
        self.connection = duckdb.connect(str(self.working))
        return self.connection

    def close(self, publish: bool = True) -> bool:
        """Publish the working copy if anything changed; True if it was published."""
        published = False
        try:
            if self.connection is not None:
                self.connection.execute("CHECKPOINT")
                self.connection.close()
            if publish and self.changed:
                with self.working.open("rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(self.working, self.published)
                _fsync_directory(self.published.parent)  # the rename itself survives a crash
                published = True
        finally:
            self.connection = None
            self.working.unlink(missing_ok=True)
            Path(f"{self.working}.wal").unlink(missing_ok=True)
            if self._lock is not None:
                self._lock.close()
        return published

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        return self.open()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(publish=exc_type is None)

    def _require(self) -> duckdb.DuckDBPyConnection:
        if self.connection is None:
            raise RuntimeError("the warehouse build is not open")
        return self.connection

    @contextlib.contextmanager
    def _transaction(self, schema: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction in `schema`: everything inside lands together or not at all."""
        con = self._require()
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self.changed = True

    def has_table(self, schema: str, table: str) -> bool:
        return bool(
            self._require()
            .execute(
                "SELECT 1 FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                [schema, table],
            )
            .fetchall()
        )

    def replace_table(
        self,
        schema: str,
        table: str,
        *,
        sql: str | None = None,
        frame: pd.DataFrame | None = None,
        description: str | None = None,
        column_docs: dict[str, str] | None = None,
        gate: Callable[[duckdb.DuckDBPyConnection], bool] | None = None,
    ) -> bool:
        """Replace `schema.table` with a query's result or a frame, in one transaction, with
        its docs stored as DuckDB comments so every SQL client sees them.

        `gate` runs inside the transaction once the new table exists (blocking tests); if it
        returns False the transaction rolls back, the previous version stays, and this
        returns False."""
        if (sql is None) == (frame is None):
            raise ValueError("give exactly one of sql= or frame=")
        select_sql = "SELECT * FROM __frame" if frame is not None else sql
        target = f"{quote(schema)}.{quote(table)}"
        try:
            with self._transaction(schema) as con:
                if frame is not None:
                    con.register("__frame", frame)
                try:
                    con.execute(f"CREATE OR REPLACE TABLE {target} AS {select_sql}")
                finally:
                    if frame is not None:
                        con.unregister("__frame")
                if description:
                    con.execute(f"COMMENT ON TABLE {target} IS {sql_literal(description)}")
                # A column the data did not produce this time (a pivot follows the data)
                # keeps its doc for when it does.
                present = {row[0] for row in con.execute(f"DESCRIBE {target}").fetchall()}
                for column, doc in (column_docs or {}).items():
                    if column in present:
                        con.execute(
                            f"COMMENT ON COLUMN {target}.{quote(column)} IS {sql_literal(doc)}"
                        )
                if gate is not None and not gate(con):
                    raise _Rejected
        except _Rejected:
            return False
        return True

    def replace_macro(
        self, schema: str, name: str, *, create_sql: str, description: str | None = None
    ) -> None:
        """Run a `CREATE OR REPLACE MACRO schema.name …` statement and store its description,
        in one transaction."""
        with self._transaction(schema) as con:
            con.execute(create_sql)
            if description:
                kind = con.execute(
                    "SELECT any_value(function_type) FROM duckdb_functions() "
                    "WHERE schema_name = ? AND function_name = ?",
                    [schema, name],
                ).fetchall()[0][0]
                keyword = "MACRO TABLE" if kind == "table_macro" else "MACRO"
                con.execute(
                    f"COMMENT ON {keyword} {quote(schema)}.{quote(name)} IS "
                    f"{sql_literal(description)}"
                )
