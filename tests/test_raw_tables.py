"""The raw layer holds the report's figures exactly as stated, typed and with provenance."""

import pytest


def figure(db, table: str, entity: str, metric: str, period: str, **dims) -> tuple:
    where = " AND ".join(f"{k} = '{v}'" for k, v in dims.items())
    rows = db.execute(
        f"SELECT value, unit FROM raw.{table} WHERE entity = ? AND metric = ? AND period = ?"
        + (f" AND {where}" if where else ""),
        [entity, metric, period],
    ).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def test_it_spend_2023_software(db):
    assert figure(db, "it_spend", "software", "spend", "2023") == (856_029, "USD million")
    assert figure(db, "it_spend", "software", "growth", "2023") == (9.3, "percent")
    assert figure(db, "it_spend", "total", "spend", "2022") == (4_385_270, "USD million")


def test_global_iaas_2021(db):
    assert figure(db, "public_cloud_market", "iaas", "market_size", "2021", region="global") == (
        916,
        "USD 100 million",
    )
    assert figure(db, "public_cloud_market", "iaas", "growth", "2021", region="global") == (
        42.7,
        "percent",
    )


def test_china_telecom_cloud_2022h1(db):
    assert figure(db, "carrier_cloud", "china_telecom_cloud", "revenue", "2022H1") == (
        280.8,
        "CNY 100 million",
    )
    assert figure(db, "carrier_cloud", "china_telecom_cloud", "growth", "2022H1") == (
        100.8,
        "percent",
    )


@pytest.mark.parametrize(("period", "eflops"), [("2021", 155.2), ("2022", 268.0), ("2026", 1271.4)])
def test_china_intelligent_compute(db, period, eflops):
    assert figure(db, "intelligent_compute", "china", "compute", period) == (eflops, "EFLOPS")


def test_stated_cagr_and_forecast_flags(db):
    assert figure(db, "intelligent_compute", "china", "cagr", "2021/2026") == (52.3, "percent")
    flags = dict(
        db.execute(
            "SELECT period, is_forecast FROM raw.intelligent_compute WHERE metric = 'compute'"
        ).fetchall()
    )
    assert flags == {"2021": False, "2022": True, "2026": True}


def test_gpu_model_assumptions_and_results(db):
    assert figure(db, "gpu_model", "training", "training_compute", "2023") == (3.14e11, "TFLOP")
    assert figure(db, "gpu_model", "training", "gpus", "2023") == (15_531, "count")
    assert figure(db, "gpu_model", "inference", "servers", "2023") == (7_596, "count")


def test_datacenter_projects_keep_their_descriptions(db):
    count, described = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE length(description_zh) > 10) "
        "FROM raw.datacenter_projects"
    ).fetchall()[0]
    assert count == described == 9
    assert (
        db.execute("SELECT count(DISTINCT entity) FROM raw.datacenter_project_figures").fetchall()[
            0
        ][0]
        == 9
    )


def test_every_row_knows_where_it_came_from(db):
    tables = [
        t
        for (t,) in db.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'"
            # the documents are the sources themselves: their rows are the document's lines
            " AND table_name NOT IN ('report_documents', 'report_lines')"
        ).fetchall()
    ]
    assert len(tables) >= 20
    for table in tables:
        missing = db.execute(
            f"SELECT count(*) FROM raw.{table} WHERE source_file IS NULL OR source_line IS NULL"
        ).fetchall()[0][0]
        assert missing == 0, table


def test_reference_tables_keep_their_own_columns(db):
    columns = [
        c
        for (c,) in db.execute(
            "SELECT column_name FROM duckdb_columns() WHERE "
            "schema_name = 'raw' AND table_name = 'reports'"
        ).fetchall()
    ]
    assert columns[:2] == ["report_id", "title_zh"]
    assert "report_id_1" not in columns


def test_precision_as_printed_is_kept(db):
    decimals = dict(
        db.execute(
            "SELECT period, value_decimals FROM raw.intelligent_compute WHERE metric = 'compute'"
        ).fetchall()
    )
    assert decimals == {"2021": 1, "2022": 1, "2026": 1}
    assert (
        db.execute(
            "SELECT value_decimals FROM raw.gpu_model WHERE metric = 'training_compute'"
        ).fetchall()[0][0]
        == -9
    )


def test_column_docs_are_stored_in_duckdb(db):
    comment = db.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'raw' "
        "AND table_name = 'it_spend' AND column_name = 'unit'"
    ).fetchall()[0][0]
    assert "unit as stated" in comment
    assert (
        "全球IT开支预测"
        in db.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = "
            "'raw' AND table_name = 'it_spend'"
        ).fetchall()[0][0]
    )
