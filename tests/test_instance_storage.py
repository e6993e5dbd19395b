"""The Dagster instance's storage as pipelines/dagster.yaml selects it from the environment:
Dagster's embedded SQLite files in DAGSTER_HOME when nothing is set, PostgreSQL (a real
server, started for the session) from DAGSTER_PG_URL or from DAGSTER_PG_HOST and the other
DAGSTER_PG_* variables. The SQLite history keeps its event log's connections open
(pipelines/sqlite_history.py): other processes and the webserver's watch still see every
commit."""

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.runs import SqliteRunStorage
from dagster_postgres import PostgresRunStorage

from pipelines.cli import main
from warehouse import settings

POSTGRES_VARIABLES = ("URL", "HOST", "PORT", "USER", "PASSWORD", "DB")
GPU_DEMAND = dg.AssetKey(["marts", "gpu_demand"])


@dg.asset
def one_asset() -> None:
    """A run to record."""


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DAGSTER_HOME as the Makefile lays it out: the project's dagster.yaml copied in."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(settings.PROJECT_ROOT / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for name in POSTGRES_VARIABLES:
        monkeypatch.delenv(f"DAGSTER_PG_{name}", raising=False)
    return home


def _record_a_run(instance: dg.DagsterInstance) -> None:
    assert dg.materialize([one_asset], instance=instance).success


def _runs_in_postgres(url: str) -> int:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sqlalchemy.text("SELECT count(*) FROM runs")).scalar()
    finally:
        engine.dispose()


def test_nothing_set_keeps_the_embedded_sqlite_files_in_dagster_home(dagster_home):
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, SqliteRunStorage)
        _record_a_run(instance)
        assert instance.get_runs_count() == 1
    assert (dagster_home / "history" / "runs.db").is_file()


def _pragma(instance: dg.DagsterInstance, run_id: str, name: str) -> object:
    with instance.event_log_storage.run_connection(run_id) as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_history_keeps_one_connection_per_database_in_wal_with_normal_sync(dagster_home):
    with dg.DagsterInstance.get() as instance:
        _record_a_run(instance)
        [run] = instance.get_runs()
        storage = instance.event_log_storage
        with storage.run_connection(run.run_id) as first:
            before = first.connection.dbapi_connection
        with storage.run_connection(run.run_id) as second:
            assert second.connection.dbapi_connection is before
        assert _pragma(instance, run.run_id, "journal_mode") == "wal"
        assert _pragma(instance, run.run_id, "synchronous") == 1  # NORMAL (FULL is 2)
        with storage.index_connection() as index:
            assert index.exec_driver_sql("PRAGMA synchronous").scalar() == 1


OTHER_PROCESS = """
import dagster as dg
@dg.asset
def other_asset() -> None: ...
with dg.DagsterInstance.get() as instance:
    print(len(instance.get_runs()), len(instance.all_logs(instance.get_runs()[0].run_id)))
    assert dg.materialize([other_asset], instance=instance).success
"""


def test_another_process_reads_and_writes_while_this_one_keeps_its_connections(dagster_home):
    with dg.DagsterInstance.get() as instance:
        _record_a_run(instance)
        [run] = instance.get_runs()
        events = len(instance.all_logs(run.run_id))
        # the other process sees every committed event although none is checkpointed yet
        assert (dagster_home / "history" / "runs" / f"{run.run_id}.db-wal").stat().st_size > 0
        other = subprocess.run(
            [sys.executable, "-c", OTHER_PROCESS], capture_output=True, text=True, check=False
        )
        assert other.returncode == 0, other.stderr[-2000:]
        assert other.stdout.split() == ["1", str(events)]
        # and what it wrote is visible here, through this process's open connections
        assert len(instance.get_runs()) == 2
        latest = instance.get_latest_materialization_event(dg.AssetKey("other_asset"))
        assert latest is not None
        _record_a_run(instance)  # and this one can still write after it
        assert len(instance.get_runs()) == 3


def test_a_watch_sees_events_committed_to_the_wal(dagster_home):
    """The UI follows a running run by watching its database file; with the connection kept
    open a commit only appends to the `-wal` file."""
    seen: list[str] = []
    arrived = threading.Event()

    def callback(entry: EventLogEntry, _cursor: str) -> None:
        seen.append(entry.message)
        arrived.set()

    with dg.DagsterInstance.get() as writer, dg.DagsterInstance.get() as watcher:
        _record_a_run(writer)
        [run] = writer.get_runs()
        watcher.watch_event_logs(run.run_id, None, callback)
        writer.report_engine_event("a late engine event", run)
        assert arrived.wait(timeout=30), "the watch was never woken"
        watcher.end_watch_event_logs(run.run_id, callback)
    assert "a late engine event" in seen


def test_a_host_without_the_other_settings_names_what_is_missing(dagster_home, monkeypatch):
    monkeypatch.setenv("DAGSTER_PG_HOST", "127.0.0.1")
    with pytest.raises(DagsterInvalidConfigError, match="DAGSTER_PG_PORT"):
        dg.DagsterInstance.get()


def test_url_selects_postgres(dagster_home, monkeypatch, postgres_url):
    monkeypatch.setenv("DAGSTER_PG_URL", postgres_url)
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        _record_a_run(instance)
    assert _runs_in_postgres(postgres_url) == 1
    assert not (dagster_home / "history").exists()  # nothing went to SQLite


def test_host_port_user_password_and_database_select_postgres(
    dagster_home, monkeypatch, postgres, postgres_url
):
    database = postgres_url.rsplit("/", 1)[1]
    settings_ = {"HOST": "127.0.0.1", "PORT": str(postgres.port), "USER": "postgres"}
    settings_ |= {"PASSWORD": "unused-with-trust-auth", "DB": database}
    for name, value in settings_.items():
        monkeypatch.setenv(f"DAGSTER_PG_{name}", value)
    with dg.DagsterInstance.get() as instance:
        assert instance.run_storage.postgres_url == (
            f"postgresql+psycopg2://postgres:unused-with-trust-auth@127.0.0.1:"
            f"{postgres.port}/{database}"
        )
        _record_a_run(instance)
    assert _runs_in_postgres(postgres_url) == 1


def _sessions(url: str) -> int:
    """Connections made to the database so far (PostgreSQL counts each when it ends)."""
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.connect() as connection:
            query = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            return connection.execute(sqlalchemy.text(query)).scalar()
    finally:
        engine.dispose()


def test_full_refresh_records_its_run_in_postgres(
    dagster_home, monkeypatch, postgres_url, warehouse_file, capsys
):
    monkeypatch.setenv("DAGSTER_PG_URL", postgres_url)
    monkeypatch.delenv("SOURCES_PATH", raising=False)
    before = _sessions(postgres_url)
    assert main(["refresh"]) == 0, capsys.readouterr().out
    # the storage holds its connections: Dagster's own opens one per statement, 1,943
    # for the events of a refresh (pipelines/instance_storage.py)
    assert _sessions(postgres_url) - before < 100
    with dg.DagsterInstance.get() as instance:
        [run] = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.tags["crw/trigger"] == "cli"
        event = instance.get_latest_materialization_event(GPU_DEMAND)
    # the report's GPU model: 15,531 A100s to train a ChatGPT-scale model
    assert event.asset_materialization.metadata["training_gpus"].value == 15_531
    assert not (dagster_home / "history").exists()
