"""A team's setup on one machine: `dagster dev` (webserver, daemon, a process per run) keeping
everything in PostgreSQL, the session's real server, through the project's dagster.yaml. The
daemon ticks the sensors for a bounded time, runs what the source-change sensor requests,
queues refresh runs launched through GraphQL (as the UI launches them) one at a time, and runs
an extraction run beside a refresh."""

import itertools
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import dagster as dg
import pytest
from dagster_dev import dagster_dev, graphql
from dagster_graphql import DagsterGraphQLClient
from dagster_postgres import PostgresRunStorage
from source_edits import edit_cell

from pipelines.assets.extraction import EXTRACT_JOB, PARTITIONS_NAME
from pipelines.automation import REFRESH_JOB, WRITES_WAREHOUSE_TAG
from warehouse import settings

# dagster-graphql's client calls gql the way gql now deprecates: not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:Using variable_values:DeprecationWarning")

LOCATION = "cloud_report_warehouse"
TICK_SECONDS = 180  # the sensors tick every 20 and 30 s; the daemon starts after the UI
RUN_SECONDS = 600  # a run starts a process (code location load) on a loaded 2-core machine
UNITS = dg.AssetKey(["raw", "units"])
LOW_CODE = dg.AssetKey(["raw", "low_code"])
ACTIVE = {dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED}
T = TypeVar("T")


@dataclass
class Deployment:
    base: str
    instance: dg.DagsterInstance
    sources: Path

    @property
    def client(self) -> DagsterGraphQLClient:
        return DagsterGraphQLClient("127.0.0.1", port_number=int(self.base.rsplit(":", 1)[1]))

    def failures(self, run_id: str) -> list[str]:
        """What the run's failure events say, for an assertion message."""
        return [
            f"{entry.step_key}: {entry.dagster_event.message}"
            for entry in self.instance.all_logs(run_id)
            if entry.dagster_event and entry.dagster_event.is_failure
        ]

    def ticks(self, sensor: str) -> list[dict]:
        selector = f'{{repositoryLocationName: "{LOCATION}", repositoryName: "__repository__", '
        selector += f'sensorName: "{sensor}"}}'
        data = graphql(
            self.base,
            f"{{ sensorOrError(sensorSelector: {selector}) {{ ... on Sensor {{ sensorState "
            "{ ticks(limit: 50) { status skipReason runIds } } } } }",
        )
        return data["sensorOrError"]["sensorState"]["ticks"]


def _wait_for(condition: Callable[[], T], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"no {what} after {seconds} s"
        time.sleep(1)
    return value


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory, new_dagster_database, sources_copy, built_warehouse
) -> Iterator[Deployment]:
    """The deployment on a copy of a complete warehouse (a partial refresh reads the tables
    it does not rebuild)."""
    root = tmp_path_factory.mktemp("shared_instance")
    shutil.copytree(built_warehouse.parent, root / "warehouse", symlinks=True)
    url = new_dagster_database()
    env = {
        "DAGSTER_PG_URL": url,
        "SOURCES_PATH": str(sources_copy),
        "WAREHOUSE_PATH": str(root / "warehouse" / built_warehouse.name),
    }
    with dagster_dev(root, env) as base, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_PG_URL", url)
        with dg.DagsterInstance.from_config(str(root / "dagster_home")) as instance:
            yield Deployment(base, instance, sources_copy)


@pytest.fixture(scope="module")
def sources_copy(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("shared_sources") / "sources"
    shutil.copytree(settings.PROJECT_ROOT / "sources", copy)
    return copy


def test_the_daemon_ticks_both_sensors_into_postgres(deployment):
    assert isinstance(deployment.instance.run_storage, PostgresRunStorage)
    for sensor in ("source_change", "declarative_automation"):
        _wait_for(lambda s=sensor: deployment.ticks(s), TICK_SECONDS, f"tick of {sensor}")
    first = deployment.ticks("source_change")[-1]
    assert first["status"] == "SKIPPED"
    assert "baseline" in first["skipReason"]


def test_the_daemon_runs_what_the_source_change_sensor_requests(deployment):
    path = deployment.sources / "swsc_cloud_2023" / "low_code.csv"
    edit_cell(path, {"metric": "share_of_new_applications"}, "note", "a reviewer's note")

    def finished_sensor_run() -> dg.DagsterRun | None:
        runs = deployment.instance.get_runs(
            filters=dg.RunsFilter(tags={"crw/trigger": "source_change"})
        )
        return runs[0] if runs and runs[0].is_finished else None

    run = _wait_for(finished_sensor_run, TICK_SECONDS + RUN_SECONDS, "finished sensor run")
    assert run.status == dg.DagsterRunStatus.SUCCESS, deployment.failures(run.run_id)
    assert LOW_CODE in run.asset_selection
    assert UNITS not in run.asset_selection  # only what the changed file reaches


def test_runs_launched_through_graphql_queue_one_at_a_time(deployment):
    client = deployment.client
    run_ids = [client.submit_job_execution(REFRESH_JOB, asset_selection=[UNITS]) for _ in "ab"]
    seen: list[tuple[dg.DagsterRunStatus, ...]] = []

    def both_finished() -> bool:
        seen.append(tuple(client.get_run_status(run_id) for run_id in run_ids))
        return all(deployment.instance.get_run_by_id(r).is_finished for r in run_ids)

    _wait_for(both_finished, 2 * RUN_SECONDS, "end of both runs")
    statuses = {client.get_run_status(run_id) for run_id in run_ids}
    assert statuses == {dg.DagsterRunStatus.SUCCESS}, [deployment.failures(r) for r in run_ids]
    # the limit of one run tagged crw/writes_warehouse held one back while the other ran
    assert any(
        dg.DagsterRunStatus.QUEUED in statuses and ACTIVE & set(statuses) for statuses in seen
    ), seen
    # and no two refresh runs of the instance (the sensor's included) ever ran at the same time
    records = deployment.instance.get_run_records(
        filters=dg.RunsFilter(tags={WRITES_WAREHOUSE_TAG: "true"})
    )
    assert {r.dagster_run.run_id for r in records} >= set(run_ids)
    windows = sorted((r.start_time, r.end_time) for r in records)
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(windows))


def test_an_extraction_run_goes_beside_a_refresh(deployment):
    """Extraction runs never open the warehouse: the queue admits one beside a refresh
    (`max_concurrent_runs: 2`, only runs tagged crw/writes_warehouse limited to one), while
    refresh runs stay one at a time (above). The refresh outlasts the queue daemon's
    5-second dequeue interval, so the extraction is admitted while it runs whatever the
    timing of the two submissions."""
    instance, client = deployment.instance, deployment.client
    report = "swsc_cloud_2023"
    if not instance.has_dynamic_partition(PARTITIONS_NAME, report):
        instance.add_dynamic_partitions(PARTITIONS_NAME, [report])

    def nothing_in_progress() -> bool:
        waiting = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, *ACTIVE]
        return not instance.get_runs(filters=dg.RunsFilter(statuses=waiting))

    _wait_for(nothing_in_progress, RUN_SECONDS, "moment without a run in progress")
    run_ids = [
        client.submit_job_execution(REFRESH_JOB),
        client.submit_job_execution(EXTRACT_JOB, tags={"dagster/partition": report}),
    ]
    seen: list[tuple[dg.DagsterRunStatus, ...]] = []

    def both_finished() -> bool:
        seen.append(tuple(client.get_run_status(run_id) for run_id in run_ids))
        return all(instance.get_run_by_id(r).is_finished for r in run_ids)

    _wait_for(both_finished, 2 * RUN_SECONDS, "end of the refresh and the extraction")
    statuses = {client.get_run_status(run_id) for run_id in run_ids}
    assert statuses == {dg.DagsterRunStatus.SUCCESS}, [deployment.failures(r) for r in run_ids]
    # at some moment both were in progress: the extraction did not wait for the refresh
    assert any(set(sample) <= ACTIVE for sample in seen), seen
