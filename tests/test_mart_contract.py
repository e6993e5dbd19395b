"""The marts' contract as analysts rely on it: rates in percent named `_pct`, no float noise
anywhere, qualifiers and audit status in the topic marts, typed GPU assumptions, lineage
columns last, one unit for compute across tables, unqualified names meaning marts."""

import re

import pytest

from pipelines.cli import main
from warehouse.docs import schema_docs
from warehouse.query import Result, render, run_query
from warehouse.store import quote

LINEAGE_LAST = ("gpu_demand", "cagr", "report_consistency")


def _double_columns(db) -> list[tuple[str, str]]:
    return db.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
        "AND data_type IN ('DOUBLE', 'FLOAT') ORDER BY ALL"
    ).fetchall()


def test_no_float_noise_in_any_marts_table(db):
    """Every number survives a round trip through 12 significant digits: 52.3, not
    52.292353427911806 or -2.1000000000000014 or 0.09300000000000001."""
    noisy = []
    for table, column in _double_columns(db):
        values = db.execute(
            f"SELECT {quote(column)} FROM marts.{quote(table)} WHERE {quote(column)} IS NOT NULL"
        ).fetchall()
        noisy += [(table, column, v) for (v,) in values if float(f"{v:.12g}") != v]
    assert noisy == []


SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")


def _significant_digits(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    return len(digits.rstrip("0") if "." not in text else digits)


def test_crw_query_prints_every_marts_table_without_scientific_notation_or_noise(
    built_warehouse,
):
    """`SELECT *` of every marts table through crw query's table format: no number printed as
    `3e+18` or `15531.0`, none with more digits than the marts keep (12 significant)."""
    catalog = run_query(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1",
        built_warehouse,
        limit=None,
    )
    tables = [row[0] for row in catalog.rows]
    assert len(tables) > 20
    problems = []
    for table in tables:
        result = run_query(f"SELECT * FROM marts.{quote(table)}", built_warehouse, limit=None)
        for i, column in enumerate(result.columns):
            # the column's numbers as the table prints them (text cells may quote 1.2e19)
            numbers = [(row[i],) for row in result.rows if isinstance(row[i], int | float)]
            cells = [c.strip() for c in render(Result((column,), numbers)).splitlines()[2:-1]]
            problems += [
                (table, column, cell)
                for cell in cells
                if SCIENTIFIC.search(cell) or cell.endswith(".0") or _significant_digits(cell) > 12
            ]
    assert problems == []


def test_crw_query_prints_numbers_as_numbers(built_warehouse, capsys, monkeypatch):
    """15,531 training GPUs (section 1.6); 张北's 1200亿亿次/秒 recomputed as 1.2 × 10^19 FLOPS."""
    monkeypatch.setenv("WAREHOUSE_PATH", str(built_warehouse))
    sql = (
        "SELECT gpus, servers FROM gpu_demand "
        "WHERE scenario = 'report_baseline' AND workload = 'training'"
    )
    assert main(["query", sql]) == 0
    assert capsys.readouterr().out.splitlines()[2].split() == ["15531", "1941"]
    sql = (
        "SELECT stated, recomputed, unit FROM report_consistency "
        "WHERE check_id LIKE 'formula:%alibaba_zhangbei%'"
    )
    assert main(["query", sql]) == 0
    assert capsys.readouterr().out.splitlines()[2].split() == [
        "12",
        "12000000000000000000",
        "FLOPS",
    ]


def test_derived_values_keep_their_documented_decimals(db):
    """By hand: 3.14e11 TFLOP ÷ (19.5 TFLOPS × 0.40) ÷ 3,600 = 11,182,336.1823 GPU-hours,
    ÷ 720 h = 15,531.0225 GPUs, ÷ 8 = 1,941.3778 servers; kept to the documented 2 decimals."""
    assert db.execute(
        "SELECT gpu_hours_exact, gpus_exact, servers_exact FROM marts.gpu_demand "
        "WHERE scenario = 'report_baseline' AND workload = 'training'"
    ).fetchall() == [(11_182_336.18, 15_531.02, 1_941.38)]
    [(comment,)] = db.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' "
        "AND table_name = 'gpu_demand' AND column_name = 'gpus_exact'"
    ).fetchall()
    assert comment.endswith("Unit: count. Rounded to 2 decimals.")


def test_every_percent_column_is_named_pct(db):
    docs = schema_docs("marts")
    misnamed = [
        (name, column)
        for name, doc in docs.items()
        for column, column_doc in doc.columns.items()
        if column_doc.unit == "percent" and not column.endswith("_pct")
    ]
    assert misnamed == []
    assert db.execute(
        "SELECT cagr_pct, stated_cagr_pct FROM marts.cagr WHERE series = "
        "'intelligent_compute/china/compute' AND start_period = '2021' AND end_period = '2026'"
    ).fetchall() == [(52.29, 52.3)]


def test_topic_marts_keep_the_qualifier(db):
    """将近75%: China's IaaS is 'nearly' 75 % of its public cloud market."""
    assert db.execute(
        "SELECT share_of_public_cloud_pct, share_of_public_cloud_pct_qualifier "
        "FROM marts.public_cloud_market WHERE region = 'china' AND segment = 'iaas'"
    ).fetchall() == [(75.0, "~")]
    assert db.execute(
        "SELECT spend_usd_mn_qualifier FROM marts.it_spend WHERE segment = 'software' "
        "AND period = '2023'"
    ).fetchall() == [("=",)]


def test_topic_marts_flag_rows_in_audit_findings(db):
    # AWS 2022: 28.7 % margin stated, 228 / 801 = 28.5 % -> a finding
    assert db.execute(
        "SELECT operating_margin_pct, in_mismatch FROM marts.hyperscaler_financials "
        "WHERE company = 'amazon' AND period = '2022' AND operating_margin_pct IS NOT NULL"
    ).fetchall() == [(28.7, True)]
    # the IT-spend table holds within printed rounding
    assert db.execute("SELECT DISTINCT in_mismatch FROM marts.it_spend").fetchall() == [(False,)]
    findings = db.execute("SELECT count(DISTINCT check_id) FROM marts.figure_findings").fetchall()[
        0
    ][0]
    mismatches = db.execute(
        "SELECT count(*) FROM marts.report_consistency WHERE status = 'mismatch'"
    ).fetchall()[0][0]
    assert findings == mismatches > 0


def test_findings_carry_units(db):
    aws = db.execute(
        "SELECT stated, recomputed, unit FROM marts.report_consistency WHERE status = "
        "'mismatch' AND check_id LIKE '%amazon%operating_margin%'"
    ).fetchall()
    assert aws == [(28.7, 28.4644194757, "percent")]  # 228 / 801, to 12 significant digits
    units = db.execute(
        "SELECT count(*) FROM marts.report_consistency WHERE (unit IS NULL) <> (stated IS NULL)"
    ).fetchall()[0][0]
    assert units == 0  # a reading has no numbers and so no unit; every other row has both


def test_gpu_demand_assumptions_are_typed_columns(db):
    training = db.execute(
        "SELECT training_compute_tflop, gpu_throughput_tflops, gpu_utilization_pct, "
        "training_window_months, days_per_month, gpus_per_server, monthly_active_users_100_mn "
        "FROM marts.gpu_demand WHERE scenario = 'report_baseline' AND workload = 'training'"
    ).fetchall()
    assert training == [(3.14e11, 19.5, 40.0, 1.0, 30.0, 8.0, None)]
    assert db.execute(
        "SELECT gpus FROM marts.gpu_demand WHERE gpu_utilization_pct = 50 "
        "AND workload = 'training' AND training_window_months = 1"
    ).fetchall() == [(12_425,)]


def test_relations_in_base_units_keep_both_sides_without_noise(db):
    """GPT-3's training compute in FLOP: stated 3.14×10^11 TFLOP = 3.14e23; the paper's
    3,640 PFLOP/s-days × 10^15 × 86,400 s = 3.14496e23 (4.96e20 apart); 6 × 175×10^9
    parameters × 300×10^9 tokens = 3.15e23 (1e21 apart). 张北's "12 FLOPS" as printed is
    12 FLOPS beside the 1,200 × 10^16 = 1.2e19 FLOPS the spelled-out figure gives."""
    rows = db.execute(
        "SELECT check_id, stated, recomputed, unit, abs_diff FROM marts.report_consistency "
        "WHERE check_id IN ('cross_check:gpt3_compute_vs_paper:swsc_cloud_2023', "
        "'cross_check:gpt3_compute_vs_6nd:swsc_cloud_2023', 'formula:swsc_cloud_2023/"
        "compute_centers/alibaba_zhangbei/ai_compute_as_printed/2022') ORDER BY check_id"
    ).fetchall()
    assert [r[1:] for r in rows] == [
        (3.14e23, 3.15e23, "FLOP", 1e21),
        (3.14e23, 3.14496e23, "FLOP", 4.96e20),
        (12.0, 1.2e19, "FLOPS", 1.2e19),
    ]


@pytest.mark.parametrize("table", LINEAGE_LAST)
def test_input_ids_come_last(db, table):
    columns = [row[0] for row in db.execute(f"DESCRIBE marts.{table}").fetchall()]
    assert columns[-1] == "input_ids"


def test_compute_in_one_unit_across_projects_and_centers(db):
    """张北's 1200亿亿次/秒 is 12 EFLOPS = 12,000 PFLOPS, more than any listed project."""
    center = db.execute(
        "SELECT center, ai_compute_pflops FROM marts.compute_centers "
        "ORDER BY ai_compute_pflops DESC NULLS LAST LIMIT 1"
    ).fetchall()
    project = db.execute(
        "SELECT max(greatest(coalesce(planned_compute_pflops, 0), "
        "coalesce(built_compute_pflops, 0))) FROM marts.datacenter_projects"
    ).fetchall()[0][0]
    assert center == [("alibaba_zhangbei", 12_000.0)]
    assert project == 1000.0


def test_unqualified_names_mean_marts(built_warehouse, monkeypatch, capsys):
    monkeypatch.setenv("WAREHOUSE_PATH", str(built_warehouse))
    assert main(["query", "SELECT count(*) AS n FROM gpu_demand", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "10"]
