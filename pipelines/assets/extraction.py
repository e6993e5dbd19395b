"""extraction/report_mentions: each report document's mentions, one dynamic partition per
report id (group `extraction`).

A partition reads its report's document (PDF text or text file, checked against the sha256
in reports.yaml), runs the extractor on it and stores the mentions beside the warehouse file
(`warehouse/extraction/stored.py`). It never opens the warehouse, so partitions run in
parallel: several runs of a backfill at once, on one machine or many that share the volume.
`marts/report_coverage` (the metrics step, which writes the warehouse) then reads the stored
mentions instead of extracting each report again. They are a cache, not an input: coverage
uses a report's stored mentions only when document, publication date and code match, and
extracts the report itself otherwise. So coverage declares no Dagster dependency on this
asset; with one, "Materialize all" on the refresh job asked to confirm materializing past a
missing upstream partition until some report had been extracted.

The asset is not part of `refresh_all`: Dagster runs a job over a partitioned asset only for
a partition or a range of them, and the daily refresh, the sensors and "Materialize all" run
the job whole. A refresh without stored mentions extracts in the coverage step, as before.
`source_change` adds a partition when a new report folder with a document appears, and the
asset's condition (`on_missing`) has declarative automation extract it. A changed document
is re-read by the refresh the sensor requests, whose coverage step then extracts it itself
(the stored mentions no longer match the document's sha256).
"""

import dagster as dg

from warehouse.documents import load_document
from warehouse.extraction.stored import extract_and_store
from warehouse.loading import display_name
from warehouse.registry import Registry

GROUP = "extraction"
PARTITIONS_NAME = "report_ids"
REPORT_IDS = dg.DynamicPartitionsDefinition(name=PARTITIONS_NAME)
MENTIONS_KEY = dg.AssetKey([GROUP, "report_mentions"])
EXTRACT_JOB = "extract_reports"
# A backfill's runs each extract this many reports, one after another. A run pays about 4 s
# to start (imports, the code location, the instance) and a report about 0.08 s, so runs of
# 100 keep the start-up under a third of a run (docs/deployment.md, "Measured").
PARTITIONS_PER_RUN = 100


@dg.asset(
    key=MENTIONS_KEY,
    group_name=GROUP,
    kinds={"python"},
    partitions_def=REPORT_IDS,
    # a partition the sensor adds is extracted by declarative automation, once
    automation_condition=dg.AutomationCondition.on_missing(),
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=PARTITIONS_PER_RUN),
    description="Every numeric mention of the report's document, extracted and stored per "
    "report for marts/report_coverage; one partition per report id.",
)
def report_mentions(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    registry = Registry.load()
    counts: dict[str, int] = {}
    for report_id in context.partition_keys:
        if report_id not in registry.documents:
            raise dg.Failure(
                description=f"{report_id}: sources/reports.yaml names no document for it",
                allow_retries=False,
            )
        path, sha256 = registry.documents[report_id]
        document = load_document(path, display_name(registry, path), sha256)
        published = registry.publication_dates.get(report_id)
        counts[report_id] = extract_and_store(report_id, document, published).mentions.size
    return dg.MaterializeResult(
        metadata={"reports": len(counts), "mentions": dg.MetadataValue.json(counts)}
    )


extract_reports = dg.define_asset_job(
    EXTRACT_JOB,
    selection=[MENTIONS_KEY],
    description="Extract the mentions of the selected reports' documents (a partition or a "
    "range of report ids per run).",
)
