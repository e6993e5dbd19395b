"""One step per layer, same assets: a run builds only what it selects, and every table's
metadata comes out of DuckDB's catalog exact."""

import shutil

import dagster as dg
import duckdb

from pipelines.automation import REFRESH_JOB
from pipelines.definitions import defs
from pipelines.metadata import markdown_table

GPU_DEMAND = dg.AssetKey(["marts", "gpu_demand"])


def _run(warehouse_file, built_warehouse, selection, run_config=None, checks=None):
    """Run the refresh job over a copy of a complete build."""
    warehouse_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built_warehouse, warehouse_file)
    job = defs().resolve_job_def(REFRESH_JOB)
    if checks is not None:
        job = job.get_subset(asset_selection=set(selection), asset_check_selection=set(checks))
        selection = None
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=selection,
        run_config=run_config or {},
        raise_on_error=False,
    )


def test_a_full_refresh_is_one_step_per_layer():
    job = defs().resolve_job_def(REFRESH_JOB)
    steps = {node.name for node in job.graph.nodes}
    # marts.metric_inputs and the topic marts (in_mismatch) read the metric marts, so the SQL
    # layer runs in two steps around them; the two report assets are one step, and publishing
    # is the run's last step.
    assert steps == {
        "raw_tables",
        "sql_models",
        "sql_models_2",
        "metrics",
        "reports",
        "publish__warehouse",
    }


def test_the_launchpad_scenario_builds_only_the_selected_asset(warehouse_file, built_warehouse):
    """docs/findings.md's one-off scenario: 60 % utilization of an H100 at 989.4 dense BF16 TFLOPS.
    By hand: 3.14e11 TFLOP ÷ (989.4 × 0.60) TFLOPS ÷ 3,600 = 146,928 GPU-hours, over 30 days
    (720 h) = 204 GPUs."""
    config = {"name": "my_case", "overrides": {"gpu_utilization": 60, "gpu_throughput": 989.4}}
    result = _run(
        warehouse_file,
        built_warehouse,
        [GPU_DEMAND],
        {"ops": {"metrics": {"config": {"gpu_demand": config}}}},
    )
    assert result.success
    built = {e.asset_key for e in result.get_asset_materialization_events()}
    assert built == {GPU_DEMAND}
    with duckdb.connect(str(warehouse_file), read_only=True) as con:
        rows = con.execute(
            "SELECT scenario_origin, gpu_hours, gpus FROM marts.gpu_demand "
            "WHERE scenario = 'my_case' AND workload = 'training'"
        ).fetchall()
    assert rows == [("run_config", 146_928, 204)]


def test_checks_alone_test_the_table_as_it_is(warehouse_file, built_warehouse):
    """Executing a model's checks without its asset (the UI's "execute check") runs its tests
    on the current table and rebuilds nothing."""
    check = dg.AssetCheckKey(dg.AssetKey(["staging", "stg_units"]), "unique_unit")
    result = _run(warehouse_file, built_warehouse, [], checks=[check])
    assert result.success
    assert result.get_asset_materialization_events() == []
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.asset_check_key == check and evaluation.passed


def test_row_counts_and_schemas_match_the_tables(built_warehouse, tmp_path, monkeypatch):
    """The catalog's row count of every table equals count(*), and the column schema lists
    the table's columns with their documentation. What the run history stores stays small:
    no preview cell is longer than 40 characters, no metadata carries an inline image, and
    a layer's metadata is stored on the materializations only, not again on the step outputs."""
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "cloud.duckdb"))
    result = _run(tmp_path / "cloud.duckdb", built_warehouse, None)
    assert result.success
    with duckdb.connect(str(tmp_path / "cloud.duckdb"), read_only=True) as con:
        for event in result.get_asset_materialization_events():
            metadata = event.step_materialization_data.materialization.metadata
            if "dagster/row_count" not in metadata:
                continue
            relation = ".".join(event.asset_key.path)
            [(count,)] = con.execute(f"SELECT count(*) FROM {relation}").fetchall()
            assert metadata["dagster/row_count"].value == count, relation
            columns = [c.name for c in metadata["dagster/column_schema"].schema.columns]
            assert columns == [d[0] for d in con.execute(f"DESCRIBE {relation}").fetchall()]
        schema = {
            e.asset_key: e.step_materialization_data.materialization.metadata
            for e in result.get_asset_materialization_events()
        }[dg.AssetKey(["raw", "it_spend"])]["dagster/column_schema"].schema
        assert {c.name: c.description for c in schema.columns}["value"]
    outputs = [  # the layers' (publishing's one small event is a plain asset's output)
        e
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.STEP_OUTPUT and e.step_key != "publish__warehouse"
    ]
    assert len(outputs) >= len(result.get_asset_materialization_events()) > 70
    assert all(not e.step_output_data.metadata for e in outputs)
    for event in result.get_asset_materialization_events():
        metadata = event.step_materialization_data.materialization.metadata
        assert not any("data:image" in str(value.value) for value in metadata.values())
        if "preview" in metadata:
            lines = metadata["preview"].value.splitlines()
            cells = [c.strip() for line in lines[2:] for c in line.strip("|").split("|")]
            assert max(map(len, cells)) <= 40, event.asset_key


def test_a_markdown_preview_escapes_pipes_blanks_missing_values_and_cuts_long_cells():
    text = markdown_table(
        ["name", "note"], [("a|b", None), ("c", float("nan")), ("d", "x" * 50)], max_chars=40
    )
    assert text.splitlines() == [
        "| name | note |",
        "| --- | --- |",
        "| a\\|b |  |",
        "| c |  |",
        f"| d | {'x' * 39}… |",
    ]
