"""The daily schedule, the source-change sensor and the automation conditions, through
Dagster's test APIs, against the demo sources of conftest.py; each test that keeps state in
a Dagster instance runs on SQLite and on PostgreSQL."""

import datetime as dt
import json

import dagster as dg
import pytest
from demo_sources import REPORT, it_spend_csv

from pipelines.assets.extraction import MENTIONS_KEY
from pipelines.assets.publish import PUBLISH_KEY, publish_asset
from pipelines.automation import REFRESH_JOB, WRITES_WAREHOUSE_TAG, follow_upstream
from pipelines.definitions import defs

STG_IT_SPEND = dg.AssetKey(["staging", "stg_it_spend"])
RAW_TABLES = ("cloud_market", "data_sources", "it_spend", "reports", "units")
# the arithmetic audit reads every figures table, so it is downstream of each of them
AUDIT = dg.AssetKey(["marts", "report_consistency"])
# the report page shows the audit's findings, so it follows the audit
REPORT_HTML = dg.AssetKey(["reports", "report_html"])
# the data site links the report page and shows the same findings, so it follows the page
SITE = dg.AssetKey(["reports", "site"])
REPORTS = {REPORT_HTML, SITE, dg.AssetKey(["reports", "charts"])}
# the run's last step is downstream of every asset, so every request includes it
PUBLISH = {PUBLISH_KEY}
# what a change to a figures table of the demo project reaches downstream
FOLLOWERS = {STG_IT_SPEND, AUDIT, REPORT_HTML, SITE, *PUBLISH}
# the GPU model's baseline is the newest report's, so it reads raw/reports (and the charts
# draw the GPU demand)
GPU_DEMAND = {dg.AssetKey(["marts", name]) for name in ("gpu_demand", "gpu_demand_sensitivity")}
# the coverage of the report documents dates each report by raw/reports
COVERAGE = {dg.AssetKey(["marts", "report_coverage"])}
METRICS = {
    dg.AssetKey(["marts", name])
    for name in ("gpu_demand", "gpu_demand_sensitivity", "cagr", "report_consistency")
} | COVERAGE


@dg.asset(key=STG_IT_SPEND, deps=[dg.AssetKey(["raw", "it_spend"])], group_name="staging")
def stg_it_spend() -> None:
    """A stand-in for a model downstream of raw/it_spend."""


def _raw(*tables: str) -> set[dg.AssetKey]:
    return {dg.AssetKey(["raw", t]) for t in tables}


@pytest.fixture
def definitions(project) -> dg.Definitions:
    """The project's definitions plus one downstream model, like the SQL models add."""
    return dg.Definitions.merge(defs(), dg.Definitions(assets=follow_upstream([stg_it_spend])))


class SensorTicks:
    """Evaluates the source-change sensor tick after tick, carrying the cursor like the daemon."""

    def __init__(self, definitions: dg.Definitions, instance: dg.DagsterInstance):
        self.definitions, self.instance = definitions, instance
        self.sensor = definitions.resolve_sensor_def("source_change")
        self.cursor: str | None = None

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, definitions=self.definitions
        )
        result = self.sensor(context)
        self.cursor = result.cursor
        return result

    def requested(self) -> set[dg.AssetKey] | None:
        """The assets of this tick's run request, or None if it requested no run."""
        result = self.tick()
        if not result.run_requests:
            return None
        [request] = result.run_requests
        return set(request.asset_selection)


@pytest.fixture
def ticks(definitions, instance):
    sensor_ticks = SensorTicks(definitions, instance)
    first = sensor_ticks.tick()
    assert not first.run_requests
    assert "baseline" in first.skip_reason.skip_message
    return sensor_ticks


def test_first_tick_records_every_source_file(ticks, project):
    recorded = json.loads(ticks.cursor)
    assert f"{REPORT}/it_spend.csv" in recorded
    assert {"tables.yaml", "reports.yaml", "units.csv", "data_sources.csv"} <= set(recorded)


def test_unchanged_tree_requests_nothing(ticks, project):
    (project / "sources" / REPORT / "it_spend.csv").touch()  # a new mtime, the same content
    result = ticks.tick()
    assert not result.run_requests
    assert result.skip_reason.skip_message == "no source file changed"


def test_changed_report_file_requests_its_table_and_downstream(ticks, project):
    (project / "sources" / REPORT / "it_spend.csv").write_text(it_spend_csv(software=120))
    assert ticks.requested() == _raw("it_spend") | FOLLOWERS
    assert ticks.requested() is None  # the cursor moved on: the same change fires once


def test_run_request_targets_the_refresh_job(ticks, project):
    (project / "sources" / REPORT / "it_spend.csv").write_text(it_spend_csv(software=120))
    [request] = ticks.tick().run_requests
    assert request.tags["crw/trigger"] == "source_change"
    assert ticks.sensor.job_name == REFRESH_JOB


def test_deleted_file_requests_its_table(ticks, project):
    (project / "sources" / REPORT / "cloud_market.csv").unlink()
    assert ticks.requested() == _raw("cloud_market") | PUBLISH


def test_reference_file_requests_every_table_that_depends_on_it(ticks, project):
    with (project / "sources" / "units.csv").open("a") as handle:
        handle.write("EFLOPS,FLOPS,1000000000000000000\n")
    assert ticks.requested() == _raw("units", "it_spend", "cloud_market") | FOLLOWERS


def test_table_registry_change_requests_everything(ticks, project):
    with (project / "sources" / "tables.yaml").open("a") as handle:
        handle.write("# reviewed\n")
    assert ticks.requested() == _raw(*RAW_TABLES) | FOLLOWERS | GPU_DEMAND | COVERAGE | REPORTS


def test_new_registered_report_folder_is_picked_up(ticks, project):
    sources = project / "sources"
    (sources / "second_report_2024").mkdir()
    (sources / "second_report_2024" / "it_spend.csv").write_text(it_spend_csv(software=150))
    with (sources / "reports.yaml").open("a") as handle:
        handle.write(
            "  - report_id: second_report_2024\n    title: Second\n    published: 2024-05-01\n"
        )
    assert ticks.requested() == (
        _raw("reports", "it_spend", "cloud_market") | FOLLOWERS | GPU_DEMAND | COVERAGE | REPORTS
    )


def test_unregistered_report_folder_is_logged_not_fatal(ticks, project, capfd):
    folder = project / "sources" / "not_in_reports_yaml"
    folder.mkdir()
    (folder / "it_spend.csv").write_text(it_spend_csv())
    result = ticks.tick()
    assert not result.run_requests
    assert "feed no table" in result.skip_reason.skip_message
    assert "not_in_reports_yaml/it_spend.csv feeds no table" in capfd.readouterr().err


def test_documentation_and_hidden_files_request_nothing(ticks, project):
    (project / "sources" / "README.md").write_text("# edited\n")
    (project / "sources" / REPORT / ".it_spend.csv.swp").write_text("editor state")
    assert ticks.requested() is None


def test_schedule_requests_a_full_refresh_in_shanghai_time(definitions, instance):
    schedule = definitions.resolve_schedule_def("daily_refresh")
    assert schedule.job_name == REFRESH_JOB
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    context = dg.build_schedule_context(
        instance=instance, scheduled_execution_time=dt.datetime(2025, 1, 2, 6, 0)
    )
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.asset_selection is None  # the whole job: every asset
    job = definitions.resolve_job_def(REFRESH_JOB)
    assert set(job.asset_layer.executable_asset_keys) == (
        _raw(*RAW_TABLES) | {STG_IT_SPEND} | METRICS | REPORTS | PUBLISH
    )


def test_schedule_cron_and_timezone_come_from_the_environment(project, monkeypatch):
    monkeypatch.setenv("CRW_REFRESH_CRON", "30 2 * * 1")
    monkeypatch.setenv("CRW_REFRESH_TZ", "UTC")
    schedule = defs().resolve_schedule_def("daily_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 2 * * 1", "UTC")


def test_sensors_start_running(definitions):
    for name in ("source_change", "declarative_automation", "extraction_automation"):
        sensor = definitions.resolve_sensor_def(name)
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_every_run_that_writes_the_warehouse_is_tagged_for_the_queue():
    """pipelines/dagster.yaml admits one run tagged crw/writes_warehouse at a time: the
    refresh job's runs (schedule, source_change, the UI's job page) and the warehouse
    automation's carry the tag, the per-report extraction's runs do not."""
    writes = {WRITES_WAREHOUSE_TAG: "true"}
    definitions = defs()
    assert definitions.resolve_job_def(REFRESH_JOB).tags == writes
    graph = definitions.resolve_asset_graph()
    everything = graph.get_all_asset_keys()
    warehouse = definitions.resolve_sensor_def("declarative_automation")
    extraction = definitions.resolve_sensor_def("extraction_automation")
    assert warehouse.run_tags == writes
    assert warehouse.asset_selection.resolve(graph) == everything - {MENTIONS_KEY}
    assert not extraction.run_tags
    assert extraction.asset_selection.resolve(graph) == {MENTIONS_KEY}


def test_raw_assets_keep_the_condition_they_declare(definitions):
    specs = {spec.key: spec for spec in definitions.resolve_all_asset_specs()}
    assert specs[dg.AssetKey(["raw", "it_spend"])].automation_condition.get_label() == "eager"


def test_a_never_built_warehouse_is_not_built_by_the_automation_conditions(definitions):
    """eager() requests an asset that *becomes* missing after its first evaluation, not one
    that was missing all along: a fresh instance gets no run from the conditions (the daily
    schedule, `make run` or "Materialize all" build it)."""
    with dg.instance_for_test() as instance:
        first = dg.evaluate_automation_conditions(defs=definitions, instance=instance)
        second = dg.evaluate_automation_conditions(
            defs=definitions, instance=instance, cursor=first.cursor
        )
    assert (first.total_requested, second.total_requested) == (0, 0)


BOTH_TABLES = dg.AssetKey(["marts", "both_tables"])


@dg.asset(
    key=BOTH_TABLES,
    deps=[dg.AssetKey(["raw", "it_spend"]), dg.AssetKey(["raw", "cloud_market"])],
    group_name="marts",
)
def both_tables() -> None:
    """A stand-in for a mart that reads two raw tables."""


def test_downstream_does_not_follow_past_a_failed_blocking_check(project):
    """raw/it_spend fails its blocking check; raw/cloud_market then updates. The mart that
    reads both is not requested: its inputs' blocking checks did not all pass."""
    definitions = dg.Definitions.merge(
        defs(), dg.Definitions(assets=follow_upstream([both_tables]))
    )
    selection = dg.AssetSelection.assets(*_raw(*RAW_TABLES), BOTH_TABLES)
    job = definitions.resolve_job_def(REFRESH_JOB)
    graph = definitions.resolve_asset_graph()

    def run(*keys: dg.AssetKey) -> bool:
        return job.execute_in_process(
            instance=instance, asset_selection=list(keys), raise_on_error=False
        ).success

    with dg.instance_for_test() as instance:
        assert run(*sorted(selection.resolve(graph)))
        first = dg.evaluate_automation_conditions(
            defs=definitions, instance=instance, asset_selection=selection
        )
        assert first.total_requested == 0
        (project / "sources" / REPORT / "it_spend.csv").write_text(it_spend_csv(software=-5))
        assert not run(dg.AssetKey(["raw", "it_spend"]))  # 'spend' must be > 0
        assert run(dg.AssetKey(["raw", "cloud_market"]))
        second = dg.evaluate_automation_conditions(
            defs=definitions, instance=instance, asset_selection=selection, cursor=first.cursor
        )
        assert second.total_requested == 0
        # the table is fixed and loads: now the mart follows
        (project / "sources" / REPORT / "it_spend.csv").write_text(it_spend_csv(software=120))
        assert run(dg.AssetKey(["raw", "it_spend"]))
        third = dg.evaluate_automation_conditions(
            defs=definitions, instance=instance, asset_selection=selection, cursor=second.cursor
        )
        assert third.get_requested_partitions(BOTH_TABLES) == {None}
        assert third.total_requested == 1


def test_downstream_follows_an_updated_upstream(definitions, instance):
    # The metric assets read marts the demo project has no models for; they are exercised
    # against the real sources elsewhere. Here: the raw tables and the model downstream.
    graph = definitions.resolve_asset_graph()
    selection = dg.AssetSelection.assets(*_raw(*RAW_TABLES), STG_IT_SPEND)
    job = definitions.resolve_job_def(REFRESH_JOB)
    assert job.execute_in_process(
        instance=instance, asset_selection=sorted(selection.resolve(graph))
    ).success
    first = dg.evaluate_automation_conditions(
        defs=definitions, instance=instance, asset_selection=selection
    )
    assert first.total_requested == 0  # everything is up to date
    assert job.execute_in_process(
        instance=instance, asset_selection=[dg.AssetKey(["raw", "it_spend"])]
    ).success
    second = dg.evaluate_automation_conditions(
        defs=definitions, instance=instance, asset_selection=selection, cursor=first.cursor
    )
    assert second.total_requested == 1
    assert second.get_requested_partitions(STG_IT_SPEND) == {None}


def test_declarative_automation_publishes_in_the_same_run(tmp_path, instance):
    """When automation follows an updated upstream asset, the publish step is requested in
    the same evaluation (so the same run), not in a later run without the build."""
    from pipelines.resources import WarehouseResource

    @dg.asset(key=dg.AssetKey(["raw", "a"]), automation_condition=dg.AutomationCondition.eager())
    def raw_a() -> None:
        """An upstream stand-in."""

    @dg.asset(key=dg.AssetKey(["marts", "b"]), deps=[raw_a])
    def mart_b() -> None:
        """A downstream stand-in."""

    assets = follow_upstream([raw_a, mart_b, publish_asset([raw_a.key, mart_b.key])])
    definitions = dg.Definitions(
        assets=assets,
        resources={"warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb"))},
    )
    job = definitions.resolve_implicit_global_asset_job_def()
    assert job.execute_in_process(instance=instance).success
    first = dg.evaluate_automation_conditions(defs=definitions, instance=instance)
    assert first.total_requested == 0
    assert job.execute_in_process(instance=instance, asset_selection=[raw_a.key]).success
    second = dg.evaluate_automation_conditions(
        defs=definitions, instance=instance, cursor=first.cursor
    )
    assert second.get_requested_partitions(mart_b.key) == {None}
    assert second.get_requested_partitions(PUBLISH_KEY) == {None}
