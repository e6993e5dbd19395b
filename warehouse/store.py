"""The DuckDB file: how a refresh writes it and how readers open it.

DuckDB lets one process hold a file read-write, and while it does every other process fails
to open it, even read-only. So a refresh never writes the published file: it copies it into a
private build directory, rebuilds tables there (each in its own transaction), closes it and
publishes the directory as a new version (`warehouse.publication`). Readers connected before
keep their snapshot, new connections see the new one, and a refresh killed halfway leaves the
published version exactly as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import time
from collections.abc import Callable, Collection, Generator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import duckdb

from warehouse import settings
from warehouse.publication import Layout, discard, seed
from warehouse.publication import publish as publish_version

if TYPE_CHECKING:  # pandas costs ~2 s to import; readers (`crw query`) never need it
    import pandas as pd

LOCK_TIMEOUT_SECONDS = 600


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
        # analysts work in marts: `FROM gpu_demand` means marts.gpu_demand
        con.execute("SET search_path = 'marts,main'")
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
def _refresh_lock(published: Path, on_wait: Callable[[str], None]) -> Generator[None]:
    """One refresh at a time per warehouse file, whoever starts it (Dagster, CLI, tests). The
    holder writes who it is into the lock file, so a refresh that has to wait can say for
    whom."""
    lock_path = published.with_name(published.name + ".lock")
    with lock_path.open("a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        waiting = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = lock_path.read_text(encoding="utf-8").strip() or "another refresh"
                if not waiting:
                    on_wait(
                        f"waiting for {lock_path}: {holder} is refreshing this warehouse "
                        f"(giving up after {LOCK_TIMEOUT_SECONDS} s)"
                    )
                    waiting = True
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{published}: {holder} still holds {lock_path}") from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(f"process {os.getpid()} on {socket.gethostname()} since {started}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


class _Rejected(Exception):
    """A gate refused the new version of a table: roll back, keep the old one."""


STAGED_PREFIX = "__staged_"  # a table being written batch by batch (`Batches`)


@dataclass(frozen=True)
class Batches:
    """A table written a frame at a time, so its rows are never all in memory as Python
    objects: its columns with their DuckDB types (declared, since a frame's types are guessed
    from its own values: a column with no value in one frame has none), and the frames."""

    columns: Mapping[str, str]
    frames: Iterable[pd.DataFrame]


@contextlib.contextmanager
def _registered(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> Generator[str]:
    """`frame` as a view for the statements inside, by the name this yields."""
    con.register("__frame", frame)
    try:
        yield "__frame"
    finally:
        con.unregister("__frame")


class WarehouseBuild:
    """A refresh in progress: a private directory holding a working copy of the DuckDB file
    and the run's artifacts, published whole or not at all (`warehouse.publication`)."""

    def __init__(
        self,
        published: Path | None = None,
        token: str | None = None,
        linked: Collection[str] = (),
    ):
        """`linked`: the artifacts `seed` may hard-link rather than copy (their writers never
        open an existing file)."""
        self.published = published or settings.warehouse_path()
        self.linked = linked
        self.layout = Layout(self.published)
        self.token = token or str(os.getpid())
        self.directory = self.layout.building(self.token)
        self.working = self.directory / self.layout.name
        self.connection: duckdb.DuckDBPyConnection | None = None
        self.changed = False
        self.notes: list[str] = []  # what a person should know about this build (warnings)
        self._lock: contextlib.ExitStack | None = None

    def open(self, on_wait: Callable[[str], None] = lambda message: None):
        """Take the refresh lock (`on_wait` hears about it if another refresh holds it) and
        start from the published version."""
        self.published.parent.mkdir(parents=True, exist_ok=True)
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(_refresh_lock(self.published, on_wait))
        try:
            # Under the lock no other build is running, so any build directory left here
            # belongs to a refresh that was killed before it could clean up.
            for stale in self.layout.stale_builds():
                discard(stale)
            seed(self.layout, self.directory, self.linked)
            self.connection = self._connect()
        except BaseException:
            self.close(publish=False)
            raise
        return self.connection

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """The working copy, opened read-write. If the published file is not a DuckDB file
        any more (a disk fault, a stray write), keep a copy aside and start empty: everything
        in the warehouse is derived from `sources/`, so a full refresh rebuilds it."""
        try:
            return duckdb.connect(str(self.working))
        except duckdb.Error as error:
            published = self.layout.published_file()
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = self.published.with_name(f"{self.published.name}.corrupt-{stamp}")
            shutil.copyfile(self.working, aside)
            self.working.unlink()
            Path(f"{self.working}.wal").unlink(missing_ok=True)
            self.notes.append(
                f"the published warehouse {published} is not a readable DuckDB file "
                f"({type(error).__name__}: {error}); kept a copy as {aside} and rebuilding "
                "from sources/ (a partial run rebuilds only what it selects: run a full "
                "refresh)"
            )
            self.changed = True
            return duckdb.connect(str(self.working))

    def artifact_path(self, name: str) -> Path:
        """Where this run writes a file or folder for people (`charts`, `report.html`, …):
        inside the build, so it is published with the DuckDB file and appears as
        `<warehouse folder>/<name>` then."""
        if not name or "/" in name or name.startswith(".") or name == self.layout.name:
            raise ValueError(f"not an artifact name: {name!r}")
        self.changed = True
        return self.directory / name

    def published_artifact(self, name: str) -> Path:
        """The stable path an artifact has once published."""
        return self.published.with_name(name)

    def close(self, publish: bool = True) -> Path | None:
        """Publish the build if anything changed and return the new version's directory;
        None if nothing was published. PublishError if publishing failed (the previously
        published version is then still the one readers see)."""
        try:
            if self.connection is not None:
                self.connection.execute("CHECKPOINT")
                self.connection.close()
                self.connection = None
            if publish and self.changed:
                return publish_version(self.layout, self.directory, self.token)
            return None
        finally:
            self.connection = None
            discard(self.directory)
            if self._lock is not None:
                self._lock.close()
                self._lock = None

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(publish=exc_type is None)

    def _require(self) -> duckdb.DuckDBPyConnection:
        if self.connection is None:
            raise RuntimeError("the warehouse build is not open")
        return self.connection

    @contextlib.contextmanager
    def _transaction(self, schema: str) -> Generator[duckdb.DuckDBPyConnection]:
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
        batches: Batches | None = None,
        description: str | None = None,
        column_docs: dict[str, str] | None = None,
        gate: Callable[[duckdb.DuckDBPyConnection], bool] | None = None,
    ) -> bool:
        """Replace `schema.table` with a query's result, a frame or `batches` of frames, in one
        transaction, with its docs stored as DuckDB comments so every SQL client sees them
        (`batches` are written beside it first and swapped in by that transaction).

        `gate` runs inside the transaction once the new table exists (blocking tests); if it
        returns False the transaction rolls back, the previous version stays, and this
        returns False."""
        if sum(given is not None for given in (sql, frame, batches)) != 1:
            raise ValueError("give exactly one of sql=, frame= or batches=")
        target = f"{quote(schema)}.{quote(table)}"
        staged = None if batches is None else self._staged(schema, table, batches)
        try:
            with self._transaction(schema) as con:
                if staged is not None:
                    con.execute(f"DROP TABLE IF EXISTS {target}")
                    con.execute(f"ALTER TABLE {staged} RENAME TO {quote(table)}")
                elif frame is not None:
                    with _registered(con, frame) as view:
                        con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {view}")
                else:
                    con.execute(f"CREATE OR REPLACE TABLE {target} AS {sql}")
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
        finally:
            if staged is not None:  # still there unless it was swapped in
                self._require().execute(f"DROP TABLE IF EXISTS {staged}")
        return True

    def _staged(self, schema: str, table: str, batches: Batches) -> str:
        """`batches` written into a table of their own beside `schema.table`, committing each
        frame as it comes, for the caller to swap in: DuckDB keeps the rows a transaction
        inserts in memory until it commits (writing report_coverage's 700,000 rows of a
        thousand reports in one transaction held ~400 MB more), committed rows go to the
        file. Dropped again if a frame fails."""
        con = self._require()
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
        staged = f"{quote(schema)}.{quote(STAGED_PREFIX + table)}"
        declared = ", ".join(f"{quote(c)} {t}" for c, t in batches.columns.items())
        con.execute(f"CREATE OR REPLACE TABLE {staged} ({declared})")
        try:
            for part in batches.frames:
                with _registered(con, part) as view:
                    con.execute(f"INSERT INTO {staged} BY NAME SELECT * FROM {view}")
        except BaseException:
            con.execute(f"DROP TABLE IF EXISTS {staged}")
            raise
        return staged

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
