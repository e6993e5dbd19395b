"""Two reports in one warehouse: every topic mart keeps each report's rows to that report (a
join that forgets the report key multiplies rows), and the metrics run per report."""

import duckdb
import pytest
from runs import materialize

from benchmarks.synthetic import report_id, write_reports

REPORTS = (report_id(1), report_id(2))


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory, real_sources):
    """One build of two synthetic copies of the real report (free figures perturbed)."""
    root = tmp_path_factory.mktemp("two_reports")
    write_reports(root / "sources", len(REPORTS), real_sources)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCES_PATH", str(root / "sources"))
        patch.setenv("WAREHOUSE_PATH", str(root / "cloud.duckdb"))
        result = materialize()
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    con = duckdb.connect(str(root / "cloud.duckdb"), read_only=True)
    yield con
    con.close()


def topics(db) -> list[str]:
    return [
        t for (t,) in db.execute("SELECT DISTINCT topic FROM marts.fct_report_figures").fetchall()
    ]


def test_every_topic_mart_has_each_reports_rows_once(db, two_reports):
    marts = topics(db)
    assert len(marts) == 16
    for topic in marts:
        (single,) = db.execute(f"SELECT count(*) FROM marts.{topic}").fetchone()
        per_report = dict(
            two_reports.execute(
                f"SELECT report_id, count(*) FROM marts.{topic} GROUP BY ALL"
            ).fetchall()
        )
        assert per_report == dict.fromkeys(REPORTS, single), topic


def test_figures_and_derived_tables_per_report(db, two_reports):
    (figures,) = db.execute("SELECT count(*) FROM marts.fct_report_figures").fetchone()
    assert two_reports.execute(
        "SELECT report_id, count(*) FROM marts.fct_report_figures GROUP BY ALL ORDER BY 1"
    ).fetchall() == [(r, figures) for r in REPORTS]
    # a reading (tables.yaml) is about one report's words, which the copies are not
    for table, rows in (("cagr", "TRUE"), ("report_consistency", "relation <> 'reading'")):
        (single,) = db.execute(f"SELECT count(*) FROM marts.{table} WHERE {rows}").fetchone()
        assert two_reports.execute(
            f"SELECT report_id, count(*) FROM marts.{table} GROUP BY ALL ORDER BY 1"
        ).fetchall() == [(r, single) for r in REPORTS], table
    # the GPU model runs on the newest report's assumptions: one baseline, as printed
    assert two_reports.execute(
        "SELECT workload, gpus FROM marts.gpu_demand WHERE scenario = 'report_baseline' ORDER BY 1"
    ).fetchall() == [("inference", 60_764), ("training", 15_531)]
