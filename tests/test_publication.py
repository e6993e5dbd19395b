"""Readers and refreshes in separate processes, as in production: `crw refresh` runs as a
subprocess while this process queries the published file read-only.

Every demo figure carries the version of the sources it came from in `note`, so a read that
sees more than one version would have seen a half-published refresh.
"""

import hashlib
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import REPORT, write_sources

from warehouse.query import run_query

CRW = str(Path(sys.executable).with_name("crw"))
VERSIONS_SQL = """
SELECT list(DISTINCT note ORDER BY note) FROM (
    SELECT note FROM raw.it_spend UNION ALL SELECT note FROM raw.cloud_market
)
"""
REFRESH_TIMEOUT = 300
MAX_READS = 50_000


def _refresh(**popen) -> subprocess.Popen:
    return subprocess.Popen([CRW, "refresh"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **popen)


def _versions(warehouse: Path) -> tuple[str, ...]:
    return tuple(run_query(VERSIONS_SQL, warehouse).rows[0][0])


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def built_v1(tmp_path_factory) -> Path:
    """A project whose warehouse holds a complete refresh of version v1 of the sources."""
    root = tmp_path_factory.mktemp("built_v1")
    write_sources(root / "sources", version="v1")
    (root / "dbt_like_sql").mkdir()
    env = {"SOURCES_PATH": str(root / "sources"), "MODELS_PATH": str(root / "dbt_like_sql"),
           "WAREHOUSE_PATH": str(root / "warehouse" / "cloud.duckdb")}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        patch.delenv("DAGSTER_HOME", raising=False)
        out, _ = _refresh().communicate(timeout=REFRESH_TIMEOUT)
    assert _versions(root / "warehouse" / "cloud.duckdb") == ("v1",), out
    return root


@pytest.fixture
def warehouse(built_v1, project) -> Path:
    """The v1 warehouse copied into this test's project; its sources are still v1."""
    path = project / "warehouse" / "cloud.duckdb"
    path.parent.mkdir()
    shutil.copyfile(built_v1 / "warehouse" / "cloud.duckdb", path)
    return path


HOLD_A_CONNECTION = """
import sys
from warehouse.store import connect_readonly
con = connect_readonly()
print(con.execute(sys.argv[1]).fetchone()[0], flush=True)
sys.stdin.readline()
print(con.execute(sys.argv[1]).fetchone()[0], flush=True)
"""


def test_readers_never_fail_and_never_see_a_mix(warehouse, project):
    held = subprocess.Popen([sys.executable, "-c", HOLD_A_CONNECTION, VERSIONS_SQL],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert held.stdout.readline().strip() == "['v1']"

    write_sources(project / "sources", version="v2")
    refresh = _refresh()
    seen, failures, latencies = set(), [], []
    deadline = time.monotonic() + REFRESH_TIMEOUT
    while refresh.poll() is None and time.monotonic() < deadline and len(latencies) < MAX_READS:
        started = time.perf_counter()
        try:
            seen.add(_versions(warehouse))
        except duckdb.Error as error:
            failures.append(str(error))
        latencies.append(time.perf_counter() - started)
    out, _ = refresh.communicate(timeout=REFRESH_TIMEOUT)

    print(f"\nreads during the refresh: {len(latencies)} attempted, {len(failures)} failed, "
          f"latency median {statistics.median(latencies) * 1000:.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms; states seen {sorted(seen)}")
    assert refresh.returncode == 0, out
    assert failures == []
    assert seen <= {("v1",), ("v2",)}, "a read saw tables from two different refreshes"
    assert _versions(warehouse) == ("v2",)
    # A reader connected before the refresh kept its snapshot, and did not block the refresh.
    out, _ = held.communicate("\n", timeout=60)
    assert (held.returncode, out.strip()) == (0, "['v1']")


def test_bad_source_fails_the_refresh_and_publishes_nothing(warehouse, project):
    before = _checksum(warehouse)
    write_sources(project / "sources", version="v2")  # cloud_market alone would succeed
    with (project / "sources" / REPORT / "it_spend.csv").open("a", encoding="utf-8") as handle:
        handle.write("software,软件,spend,2023,约43,USD million,=,true,1.1,gartner,\n")
    out, _ = _refresh().communicate(timeout=REFRESH_TIMEOUT)
    assert "FAILED    raw/it_spend" in out
    assert f"sources/{REPORT}/it_spend.csv, line 5, column 'value': value '约43'" in out
    assert "Nothing published" in out
    assert _checksum(warehouse) == before
    assert _versions(warehouse) == ("v1",)


def _kill_while_building(warehouse: Path, delay: float) -> subprocess.Popen:
    refresh = _refresh()
    deadline = time.monotonic() + REFRESH_TIMEOUT
    while not list(warehouse.parent.glob(f".{warehouse.name}.*.building")):
        assert refresh.poll() is None, refresh.communicate()[0]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(delay)
    refresh.kill()
    refresh.communicate()
    return refresh


def test_refresh_killed_midway_leaves_the_previous_warehouse(warehouse, project):
    write_sources(project / "sources", version="v2")
    killed_before_publishing = 0
    for delay in (0.0, 0.2):
        inode, before, before_rows = warehouse.stat().st_ino, _checksum(warehouse), \
            _versions(warehouse)
        _kill_while_building(warehouse, delay)
        if warehouse.stat().st_ino == inode:  # the kill came before the atomic rename
            killed_before_publishing += 1
            assert _checksum(warehouse) == before
            assert _versions(warehouse) == before_rows
        else:  # it came after: the new file is a complete refresh
            assert _versions(warehouse) == ("v2",)
    assert killed_before_publishing >= 1
    assert list(warehouse.parent.glob("*.building*")), "the killed refresh left its working file"

    out, _ = _refresh().communicate(timeout=REFRESH_TIMEOUT)
    assert "Published" in out, out
    assert _versions(warehouse) == ("v2",)
    assert not list(warehouse.parent.glob("*.building*")), "stale working files were cleaned"
