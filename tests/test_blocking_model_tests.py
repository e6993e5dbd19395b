"""A staging model whose blocking test fails never replaces its previous version."""

import shutil

import dagster as dg
import duckdb
from runs import materialize

from warehouse import settings

STG_UNITS = dg.AssetKey(["staging", "stg_units"])


def test_failing_blocking_test_keeps_the_previous_version(tmp_path, monkeypatch, warehouse_file):
    models = tmp_path / "dbt_like_sql"
    shutil.copytree(settings.models_dir(), models)
    monkeypatch.setenv("MODELS_PATH", str(models))
    assert materialize().success
    with duckdb.connect(str(warehouse_file), read_only=True) as con:
        before = con.execute("SELECT * FROM staging.stg_units ORDER BY ALL").fetchall()

    model = models / "staging" / "stg_units.sql"
    query = model.read_text(encoding="utf-8")
    model.write_text(
        f"SELECT * FROM ({query})\nUNION ALL\nSELECT * FROM ({query}) WHERE unit = 'EFLOPS'",
        encoding="utf-8",
    )
    result = materialize()

    assert not result.success
    [evaluation] = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == STG_UNITS and e.check_name == "unique_unit"
    ]
    assert not evaluation.passed and evaluation.metadata["failing_rows"].value == 2
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    # a step of the SQL layer (it runs in two, around the metrics the topic marts read)
    assert failure.step_key in {"sql_models", "sql_models_2"}
    reason = failure.step_failure_data.user_failure_data.description
    assert "staging.stg_units was not replaced" in reason
    assert "staging/stg_figures: skipped, upstream staging/stg_units failed" in reason
    built = {
        m.asset_key
        for m in result.get_asset_materialization_events()
        for m in [m.step_materialization_data.materialization]
    }
    assert dg.AssetKey(["marts", "fct_report_figures"]) not in built  # nothing downstream ran
    assert dg.AssetKey(["staging", "stg_figures"]) not in built  # reads stg_units: skipped
    assert dg.AssetKey(["staging", "stg_reports"]) in built  # independent of it: built
    with duckdb.connect(str(warehouse_file), read_only=True) as con:
        assert con.execute("SELECT * FROM staging.stg_units ORDER BY ALL").fetchall() == before
