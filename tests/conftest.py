"""Shared fixtures: a private copy of the real sources and a private warehouse file per test,
one full build of the real sources shared by the read-only tests of a session, and a small
demo project for tests of the machinery."""

import shutil
from pathlib import Path

import duckdb
import pytest
from demo_sources import write_sources
from runs import materialize

from warehouse import settings

REAL_SOURCES = settings.PROJECT_ROOT / "sources"


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
