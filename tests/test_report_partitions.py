"""Per-report partitions: `extraction/report_mentions` extracts one report's document per
partition and stores its mentions; the coverage step reads them instead of extracting again;
the source-change sensor keeps one partition per report with a document; declarative
automation extracts a partition the sensor added."""

import copy
import datetime as dt
import shutil

import dagster as dg
import duckdb
import pytest
import yaml

from pipelines.assets.extraction import EXTRACT_JOB, MENTIONS_KEY, PARTITIONS_NAME
from pipelines.definitions import defs
from warehouse.extraction import coverage
from warehouse.extraction.coverage import report_coverage
from warehouse.extraction.stored import stored_extraction

REPORT = "swsc_cloud_2023"
REPORT_SHA256 = "ba1d27fd835cf98c18ccde04a5b828d0f73e10062bfb6e0a8cd3151d47019351"
PUBLISHED = dt.date(2023, 3, 10)


@pytest.fixture
def extractions(tmp_path, monkeypatch):
    path = tmp_path / "extractions"
    monkeypatch.setenv("EXTRACTIONS_PATH", str(path))
    return path


def _extract(*report_ids: str) -> dg.ExecuteInProcessResult:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(PARTITIONS_NAME, list(report_ids))
    job = defs().resolve_job_def(EXTRACT_JOB)
    tags = {
        "dagster/asset_partition_range_start": report_ids[0],
        "dagster/asset_partition_range_end": report_ids[-1],
    }
    return job.execute_in_process(instance=instance, tags=tags, raise_on_error=False)


def test_coverage_reads_the_stored_partition_and_finds_the_same_rows(built_warehouse, extractions):
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        extracted_here = report_coverage(con)
        assert extracted_here.stored == []
        shutil.rmtree(extractions)  # what the coverage stored: the partition must make its own
        result = _extract(REPORT)
        assert result.success
        [event] = result.get_asset_materialization_events()
        materialization = event.step_materialization_data.materialization
        assert (materialization.asset_key, materialization.partition) == (MENTIONS_KEY, REPORT)
        mentions = materialization.metadata["mentions"].value
        from_partition = report_coverage(con)
    assert mentions == {REPORT: len(extracted_here.rows)}
    assert from_partition.stored == [REPORT]
    assert from_partition.rows == extracted_here.rows
    assert (from_partition.curated, from_partition.not_found) == (
        extracted_here.curated,
        extracted_here.not_found,
    )


def test_coverage_stores_what_it_extracts_for_the_next_refresh(built_warehouse, extractions):
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        first = report_coverage(con)
        assert stored_extraction(REPORT, REPORT_SHA256, PUBLISHED)
        again = report_coverage(con)
    assert (first.stored, again.stored) == ([], [REPORT])
    assert again.rows == first.rows


def test_an_extraction_gone_stale_after_it_was_checked_is_extracted_again(
    built_warehouse, extractions, monkeypatch
):
    """A partition run may replace a stored file between the coverage step's check of every
    report and its read of that one: the report is then extracted from its own text layer."""
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        first = report_coverage(con)
        shutil.rmtree(extractions)
        monkeypatch.setattr(coverage, "has_stored_extraction", lambda *args: True)
        raced = report_coverage(con)
    assert raced.stored == []
    assert raced.rows == first.rows
    assert stored_extraction(REPORT, REPORT_SHA256, PUBLISHED)


def test_a_stored_extraction_is_used_only_for_its_document_and_date(extractions):
    assert _extract(REPORT).success
    assert stored_extraction(REPORT, REPORT_SHA256, PUBLISHED)
    assert stored_extraction(REPORT, "0" * 64, PUBLISHED) is None  # the document changed
    assert stored_extraction(REPORT, REPORT_SHA256, dt.date(2024, 3, 10)) is None  # its date did
    assert stored_extraction("another_report", REPORT_SHA256, PUBLISHED) is None


def test_a_partition_without_a_document_fails_naming_it(extractions):
    result = _extract("no_such_report")
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failure.step_failure_data.error.message.startswith(
        "dagster._core.definitions.events.Failure: no_such_report: sources/reports.yaml names "
        "no document for it"
    )


def _tick(instance, cursor):
    definitions = defs()
    context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=definitions)
    return definitions.resolve_sensor_def("source_change")(context)


def _apply(instance, requests) -> None:
    for request in requests:
        if isinstance(request, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        else:
            for key in request.partition_keys:
                instance.delete_dynamic_partition(request.partitions_def_name, key)


def test_the_sensor_keeps_one_partition_per_report_with_a_document(sources, warehouse_file):
    instance = dg.DagsterInstance.ephemeral()
    baseline = _tick(instance, None)
    assert baseline.dynamic_partitions_requests == [
        dg.AddDynamicPartitionsRequest(PARTITIONS_NAME, [REPORT])
    ]
    _apply(instance, baseline.dynamic_partitions_requests)
    assert _tick(instance, baseline.cursor).dynamic_partitions_requests == []

    # a new report folder with its document: its partition is added
    reports = yaml.safe_load((sources / "reports.yaml").read_text(encoding="utf-8"))
    # a deep copy: safe_dump writes values shared with the first entry as YAML aliases
    second = {**copy.deepcopy(reports["reports"][0]), "report_id": "second_report_2024"}
    (sources / "second_report_2024").mkdir()
    (sources / "second_report_2024" / "report.txt").write_bytes(
        (sources / REPORT / "report.txt").read_bytes()
    )
    (sources / "reports.yaml").write_text(
        yaml.safe_dump({"reports": [*reports["reports"], second]}, allow_unicode=True), "utf-8"
    )
    added = _tick(instance, baseline.cursor)
    assert added.dynamic_partitions_requests == [
        dg.AddDynamicPartitionsRequest(PARTITIONS_NAME, ["second_report_2024"])
    ]
    _apply(instance, added.dynamic_partitions_requests)

    # the report is gone from reports.yaml: so is its partition
    (sources / "reports.yaml").write_text(yaml.safe_dump(reports, allow_unicode=True), "utf-8")
    removed = _tick(instance, added.cursor)
    assert removed.dynamic_partitions_requests == [
        dg.DeleteDynamicPartitionsRequest(PARTITIONS_NAME, ["second_report_2024"])
    ]


def test_automation_extracts_a_partition_once_it_is_added(sources):
    definitions = defs()
    selection = dg.AssetSelection.assets(MENTIONS_KEY)
    with dg.instance_for_test() as instance:
        first = dg.evaluate_automation_conditions(
            defs=definitions, instance=instance, asset_selection=selection
        )
        assert first.total_requested == 0
        instance.add_dynamic_partitions(PARTITIONS_NAME, [REPORT])
        second = dg.evaluate_automation_conditions(
            defs=definitions, instance=instance, asset_selection=selection, cursor=first.cursor
        )
    assert second.get_requested_partitions(MENTIONS_KEY) == {REPORT}


def test_the_refresh_job_leaves_the_partitions_to_their_own_job():
    definitions = defs()
    refresh = definitions.resolve_job_def("refresh_all")
    assert refresh.partitions_def is None
    assert MENTIONS_KEY not in refresh.asset_layer.selected_asset_keys
    extract = definitions.resolve_job_def(EXTRACT_JOB)
    assert extract.asset_layer.selected_asset_keys == {MENTIONS_KEY}
