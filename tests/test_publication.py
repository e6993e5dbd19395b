"""Readers and refreshes in separate processes, as in production: `crw refresh` runs as a
subprocess over a copy of the real sources while this process queries the published file.

A marker note is planted in the first figure of two tables; a complete refresh shows it in
both raw tables, in the staging model and in the figures mart, the previous state in none.
A read that sees it in some tables but not others would have seen a half-published refresh.
"""

import csv
import hashlib
import io
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from warehouse.query import run_query
from warehouse.store import WarehouseBuild

CRW = str(Path(sys.executable).with_name("crw"))
REPORT = "swsc_cloud_2023"
MARKED_FILES = ("it_spend.csv", "public_cloud_market.csv")
MARKER = "refresh marker"
MARKER_SQL = f"""
SELECT
    (SELECT count(*) FROM raw.it_spend WHERE note = '{MARKER}'),
    (SELECT count(*) FROM raw.public_cloud_market WHERE note = '{MARKER}'),
    (SELECT count(*) FROM staging.stg_it_spend WHERE note = '{MARKER}'),
    (SELECT count(*) FROM marts.fct_report_figures WHERE note = '{MARKER}')
"""
BEFORE, AFTER = (0, 0, 0, 0), (1, 1, 1, 2)
REFRESH_TIMEOUT = 600
MAX_READS = 50_000


def _refresh() -> subprocess.Popen:
    return subprocess.Popen(
        [CRW, "refresh"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _state(warehouse: Path) -> tuple[int, ...]:
    return tuple(run_query(MARKER_SQL, warehouse).rows[0])


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _edit_csv(path: Path, edit) -> None:
    """Rewrite a source CSV through `edit(header, rows)`, which changes `rows` in place."""
    header, *rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
    edit(header, rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")


def _plant_marker(sources: Path) -> None:
    """Put MARKER in the (empty) note of the first figure of each marked file."""

    def mark(header, rows):
        assert rows[0][header.index("note")] == ""
        rows[0][header.index("note")] = MARKER

    for name in MARKED_FILES:
        _edit_csv(sources / REPORT / name, mark)


@pytest.fixture
def warehouse(built_warehouse, sources, warehouse_file, monkeypatch) -> Path:
    """A complete build of the real sources, copied to this test's warehouse file; runs go
    to a throwaway Dagster instance, not to the project's history."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    warehouse_file.parent.mkdir(parents=True)
    shutil.copyfile(built_warehouse, warehouse_file)
    assert _state(warehouse_file) == BEFORE
    return warehouse_file


HOLD_A_CONNECTION = """
import sys
from warehouse.store import connect_readonly
con = connect_readonly()
print(tuple(con.execute(sys.argv[1]).fetchone()), flush=True)
sys.stdin.readline()
print(tuple(con.execute(sys.argv[1]).fetchone()), flush=True)
"""


def test_readers_never_fail_and_never_see_a_mix(warehouse, sources):
    held = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_CONNECTION, MARKER_SQL],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert held.stdout.readline().strip() == str(BEFORE)

    _plant_marker(sources)
    refresh = _refresh()
    seen, failures, latencies = set(), [], []
    deadline = time.monotonic() + REFRESH_TIMEOUT
    while refresh.poll() is None and time.monotonic() < deadline and len(latencies) < MAX_READS:
        started = time.perf_counter()
        try:
            seen.add(_state(warehouse))
        except duckdb.Error as error:
            failures.append(str(error))
        latencies.append(time.perf_counter() - started)
    printed, _ = refresh.communicate(timeout=REFRESH_TIMEOUT)

    print(
        f"\nreads during the refresh: {len(latencies)} attempted, {len(failures)} failed, "
        f"latency median {statistics.median(latencies) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms; states seen {sorted(seen)}"
    )
    assert refresh.returncode == 0, printed
    _assert_the_summary_leads_with_the_marts(printed, warehouse)
    assert failures == []
    assert seen <= {BEFORE, AFTER}, "a read saw tables from two different refreshes"
    assert _state(warehouse) == AFTER
    # A reader connected before the refresh kept its snapshot, and did not block the refresh.
    out, _ = held.communicate("\n", timeout=60)
    assert (held.returncode, out.strip()) == (0, str(BEFORE))


def _assert_the_summary_leads_with_the_marts(printed: str, warehouse: Path) -> None:
    """The summary after a refresh: marts with rows first, raw and staging as counts, the
    findings by name each with a `crw query` that lists them, the published page and charts."""
    summary = printed[printed.index("\nMarts built: ") :].splitlines()
    assert "  marts/it_spend" in "\n".join(summary) and summary[1].startswith("Marts built: ")
    assert not [line for line in summary if line.startswith(("  raw/", "  staging/"))]
    also = next(line for line in summary if line.startswith("Also built: "))
    assert "raw " in also and "staging " in also and " rows)" in also
    assert summary.index(also) < next(i for i, x in enumerate(summary) if x.startswith("Checks:"))
    finding = summary.index("  finding  report_formula on marts/report_consistency")
    query = summary[finding + 1].strip()
    assert query.startswith('crw query "') and query.endswith('"')
    # The query lists the formula findings: AWS's 28.7 % margin, 张北's and 乌兰察布's FLOPS.
    check_ids = {row[0] for row in run_query(query[len('crw query "') : -1], warehouse).rows}
    assert check_ids == {
        f"formula:{REPORT}/hyperscaler_financials/amazon/aws/operating_margin/2022",
        f"formula:{REPORT}/compute_centers/alibaba_zhangbei/ai_compute_as_printed/2022",
        f"formula:{REPORT}/compute_centers/alibaba_ulanqab/ai_compute_as_printed/2022",
    }
    files = dict(line.split() for line in summary[summary.index("Files:") + 1 :][:2])
    assert files == {
        "reports/charts": str(warehouse.parent / "charts"),
        "reports/report_html": str(warehouse.parent / "report.html"),
    }


def test_bad_source_fails_the_refresh_and_publishes_nothing(warehouse, sources):
    before = _checksum(warehouse)
    _plant_marker(sources)  # valid changes in two tables, and one bad row in a third

    def add_bad_row(header, rows):
        rows.append([*rows[-1]])
        rows[-1][header.index("value")] = "约43"

    _edit_csv(sources / REPORT / "saas_market.csv", add_bad_row)
    refresh = _refresh()
    out, _ = refresh.communicate(timeout=REFRESH_TIMEOUT)
    assert refresh.returncode == 1, out
    assert "FAILED    raw/saas_market" in out, out
    assert "column 'value': value '约43': must be a number" in out
    assert "Nothing published" in out
    assert _checksum(warehouse) == before
    assert _state(warehouse) == BEFORE


def _kill_while_building(warehouse: Path, delay: float) -> subprocess.Popen:
    refresh = _refresh()
    deadline = time.monotonic() + REFRESH_TIMEOUT
    while not list(warehouse.parent.glob(f".{warehouse.name}.building-*")):
        assert refresh.poll() is None, refresh.communicate()[0]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(delay)
    refresh.kill()
    refresh.communicate()
    return refresh


def test_refresh_killed_midway_leaves_the_previous_warehouse(warehouse, sources):
    _plant_marker(sources)
    killed_before_publishing = 0
    for delay in (0.0, 0.5):
        inode, before = warehouse.stat().st_ino, _checksum(warehouse)
        _kill_while_building(warehouse, delay)
        if warehouse.stat().st_ino == inode:  # the kill came before the atomic rename
            killed_before_publishing += 1
            assert _checksum(warehouse) == before
            assert _state(warehouse) == BEFORE
        else:  # it came after: the new file is a complete refresh
            assert _state(warehouse) == AFTER
    assert killed_before_publishing >= 1
    assert list(warehouse.parent.glob("*.building*")), "the killed refresh left its working file"

    build = WarehouseBuild(warehouse)  # the next refresh gets the lock and cleans up
    build.open()
    assert list(warehouse.parent.glob("*.building*")) == [build.directory]
    build.close(publish=False)
    assert _state(warehouse) in (BEFORE, AFTER)
