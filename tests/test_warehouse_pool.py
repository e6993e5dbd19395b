"""Every step that writes the warehouse is in the concurrency pool `warehouse`, and the
instance settings of pipelines/dagster.yaml give it one slot: the pooled steps of two runs
in progress at once never overlap (read from the runs' events)."""

import shutil
import subprocess
import sys
import textwrap

import dagster as dg

from pipelines.assets.extraction import MENTIONS_KEY
from pipelines.definitions import defs
from pipelines.resources import WAREHOUSE_POOL
from warehouse import settings

STEP_SECONDS = 2.0


def test_every_step_that_writes_the_warehouse_is_in_the_pool():
    steps = [a for a in defs().resolve_asset_graph().assets_defs if a.is_executable]
    writers = {a.op.name for a in steps if "warehouse" in a.required_resource_keys}
    pooled = {a.op.name for a in steps if a.op.pool == WAREHOUSE_POOL}
    assert writers == pooled
    # the layers (the SQL layer's op runs as two steps of refresh_all), the report artifacts
    # and publishing; the per-report partitions write none
    assert pooled == {"raw_tables", "sql_models", "metrics", "reports", "publish__warehouse"}
    [extraction] = [a for a in steps if MENTIONS_KEY in a.keys]
    assert extraction.op.pool is None


# Two processes each run a step of the pool on the same instance, started together.
_RUN = textwrap.dedent(f"""
    import time
    import dagster as dg

    @dg.asset(pool={WAREHOUSE_POOL!r})
    def writer() -> None:
        time.sleep({STEP_SECONDS})

    job = dg.Definitions(assets=[writer], jobs=[dg.define_asset_job("w", [writer])])
    with dg.DagsterInstance.get() as instance:
        job.resolve_job_def("w").execute_in_process(instance=instance)
""")


def test_pooled_steps_of_two_runs_never_overlap(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(settings.PROJECT_ROOT / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    script = tmp_path / "run.py"
    script.write_text(_RUN)
    runs = [subprocess.Popen([sys.executable, str(script)]) for _ in range(2)]
    assert [run.wait(timeout=300) for run in runs] == [0, 0]

    with dg.DagsterInstance.get() as instance:
        windows, blocked = [], 0
        for record in instance.get_run_records():
            events = instance.all_logs(record.dagster_run.run_id)
            start = [
                e.timestamp
                for e in events
                if e.dagster_event_type == dg.DagsterEventType.STEP_START
            ]
            end = [
                e.timestamp
                for e in events
                if e.dagster_event_type == dg.DagsterEventType.STEP_SUCCESS
            ]
            windows.append((start[0], end[0]))
            blocked += any(
                f"blocked by limit for pool {WAREHOUSE_POOL}" in (e.message or "") for e in events
            )
    assert len(windows) == 2
    (_, first_end), (second_start, _) = sorted(windows)
    assert first_end <= second_start  # one step ran after the other, never beside it
    assert blocked == 1  # the second run's step waited for the pool's slot
