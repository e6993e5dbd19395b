"""Shared fixtures: a private copy of the sources and a private warehouse file per test, and
one full build of the real sources shared by the read-only tests of a session."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from warehouse import settings

REAL_SOURCES = settings.PROJECT_ROOT / "sources"


def materialize(asset_keys: list[dg.AssetKey] | None = None) -> dg.ExecuteInProcessResult:
    """Run the real code location's assets in-process (as `make run` does), fresh from disk."""
    from pipelines.definitions import defs

    job = defs().resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=asset_keys
    )


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
