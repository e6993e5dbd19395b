"""Shared fixtures: a private copy of the real sources and a private warehouse file per test,
one full build of the real sources shared by the read-only tests of a session, a small
demo project for tests of the machinery, and one PostgreSQL server for the session."""

import functools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from demo_sources import write_sources
from hypothesis import settings as hypothesis_settings
from runs import materialize

from benchmarks.postgres_server import PostgresServer, binaries, postgres_server
from warehouse import settings

REAL_SOURCES = settings.PROJECT_ROOT / "sources"
DAGSTER_TEMPLATE = "dagster_template"

# Property tests keep no example database (it would be written into the working tree), have
# no per-example deadline (a loaded 2-core machine is slow, not wrong), and under CI draw the
# same examples every run, so a red CI is reproducible.
hypothesis_settings.register_profile(
    "project", database=None, deadline=None, derandomize=os.environ.get("CI") == "true"
)
hypothesis_settings.load_profile("project")


@pytest.fixture(scope="session")
def real_sources() -> Path:
    """The project's own `sources/` (read it, never write it: copy it with `sources`)."""
    return REAL_SOURCES


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the real sources that the code under test reads."""
    copy = tmp_path / "sources"
    shutil.copytree(REAL_SOURCES, copy)
    monkeypatch.setenv("SOURCES_PATH", str(copy))
    return copy


@pytest.fixture
def warehouse_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "warehouse" / "cloud.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    return path


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real sources materialized once into a session-wide warehouse file."""
    path = tmp_path_factory.mktemp("built") / "cloud.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAREHOUSE_PATH", str(path))
        patch.delenv("SOURCES_PATH", raising=False)
        result = materialize()
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return path


@pytest.fixture
def db(built_warehouse: Path):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A temporary project: `sources/` with the demo files, an empty `dbt_like_sql/`, and
    `warehouse/` for the DuckDB file; the environment points everything at it."""
    sources = tmp_path / "sources"
    write_sources(sources)
    (tmp_path / "dbt_like_sql").mkdir()
    monkeypatch.setenv("SOURCES_PATH", str(sources))
    monkeypatch.setenv("MODELS_PATH", str(tmp_path / "dbt_like_sql"))
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "warehouse" / "cloud.duckdb"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session, with a database of Dagster's tables as template.
    Missing, the tests that need it skip on a developer's machine and fail in CI."""
    bin_dir = binaries()
    if bin_dir is None:
        message = (
            "PostgreSQL is not installed: `make system-deps` installs Debian's postgresql "
            "(as root, with apt-get)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with postgres_server(bin_dir) as server:
        url = server.new_database(DAGSTER_TEMPLATE)
        with dg.instance_for_test(overrides={"storage": {"postgres": {"postgres_url": url}}}):
            pass  # creates Dagster's tables
        yield server


@pytest.fixture(scope="session")
def new_dagster_database(postgres: PostgresServer) -> Callable[[], str]:
    """Makes a fresh database with Dagster's tables already created: its URL, as
    DAGSTER_PG_URL takes it."""
    return functools.partial(postgres.new_database, template=DAGSTER_TEMPLATE)


@pytest.fixture
def postgres_url(new_dagster_database) -> str:
    return new_dagster_database()


@pytest.fixture(params=["sqlite", "postgres"])
def instance(request: pytest.FixtureRequest) -> Iterator[dg.DagsterInstance]:
    """A test instance of Dagster on its default SQLite storage, and again on PostgreSQL."""
    overrides = None
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        overrides = {"storage": {"postgres": {"postgres_url": url}}}
    with dg.instance_for_test(overrides=overrides) as test_instance:
        yield test_instance
