"""Operations: the daily refresh schedule, the source-change sensor and declarative automation.

- `refresh_all` is one asset job over every asset but the per-report partitions
  (`extraction/report_mentions`, job `extract_reports`), so a refresh is one ordered run (the
  warehouse has one writer; per-asset cron runs would race for it).
- `daily_refresh` runs it every day (`CRW_REFRESH_CRON`, `CRW_REFRESH_TZ`).
- `source_change` hashes every file under `sources/`; when one is added, changed or deleted it
  requests the raw tables that file feeds and everything downstream of them. It also keeps
  the per-report partitions equal to the reports with a document in reports.yaml: a new
  report folder gets its partition, whose extraction its automation condition then requests.
- `declarative_automation` evaluates the warehouse assets' automation conditions (its runs
  tagged as writers of the warehouse, like the refresh job's), `extraction_automation` the
  per-report extraction's; `follow_upstream` gives every asset with upstream assets and no
  condition of its own FOLLOW_UPSTREAM (eager, but only once the upstream blocking checks
  passed).
"""

import hashlib
import json
import os
from collections.abc import Sequence

import dagster as dg

from pipelines.assets.extraction import MENTIONS_KEY, PARTITIONS_NAME, REPORT_IDS
from pipelines.assets.keys import relation_key
from warehouse import settings
from warehouse.registry import TABLE_REGISTRY, Registry, fingerprints
from warehouse.relations import RAW, raw

REFRESH_JOB = "refresh_all"
DEFAULT_REFRESH_CRON = "0 6 * * *"
DEFAULT_REFRESH_TZ = "Asia/Shanghai"
SOURCE_POLL_SECONDS = 20
AUTOMATION_POLL_SECONDS = 30

FOLLOW_UPSTREAM = (
    dg.AutomationCondition.eager() & dg.AutomationCondition.all_deps_blocking_checks_passed()
).with_label("eager once upstream blocking checks passed")

# pipelines/dagster.yaml admits one run with this tag at a time (the warehouse has one writer)
# and two runs in all (a backfill's extraction runs, which never open the warehouse).
WRITES_WAREHOUSE_TAG = "crw/writes_warehouse"

refresh_all = dg.define_asset_job(
    REFRESH_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(MENTIONS_KEY),
    description="Refresh every asset of the warehouse in one ordered run.",
    tags={WRITES_WAREHOUSE_TAG: "true"},
)


def daily_refresh() -> dg.ScheduleDefinition:
    """The daily full refresh; cron and timezone come from the environment when set."""
    return dg.ScheduleDefinition(
        name="daily_refresh",
        job=refresh_all,
        cron_schedule=os.environ.get("CRW_REFRESH_CRON", DEFAULT_REFRESH_CRON),
        execution_timezone=os.environ.get("CRW_REFRESH_TZ", DEFAULT_REFRESH_TZ),
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Full refresh of every asset (CRW_REFRESH_CRON, CRW_REFRESH_TZ).",
    )


def _changed_paths(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    return sorted(p for p in previous.keys() | current.keys() if previous.get(p) != current.get(p))


def _affected_tables(changed: list[str], all_tables: set[str], log) -> set[str]:
    """The raw tables the changed files feed, according to the registry as it is now."""
    if TABLE_REGISTRY in changed:
        return all_tables
    registry = Registry.load(settings.sources_dir())
    tables: set[str] = set()
    for path in changed:
        try:
            fed = registry.tables_fed_by(path)
        except Exception as error:  # a reference file that does not parse: the run will say so
            log.error(
                f"sources/{path}: cannot map changed files to tables ({error}); "
                "requesting every raw table"
            )
            return all_tables
        if not fed and "/" in path:
            log.warning(
                f"sources/{path} feeds no table: its folder is not a report in "
                f"reports.yaml, or no table in {TABLE_REGISTRY} has that file name"
            )
        tables |= fed
    return tables


def _partition_requests(
    instance: dg.DagsterInstance, log
) -> list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest]:
    """Add a partition for every report with a document that has none, delete the partitions
    of reports that are gone (nothing, while reports.yaml does not load: the run says why)."""
    try:
        wanted = set(Registry.load(settings.sources_dir()).documents)
    except Exception as error:
        log.error(f"report partitions left as they are: {error}")
        return []
    have = set(instance.get_dynamic_partitions(PARTITIONS_NAME))
    requests: list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest] = []
    if wanted - have:
        requests.append(REPORT_IDS.build_add_request(sorted(wanted - have)))
    if have - wanted:
        requests.append(REPORT_IDS.build_delete_request(sorted(have - wanted)))
    return requests


@dg.sensor(
    name="source_change",
    job=refresh_all,
    minimum_interval_seconds=SOURCE_POLL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Refreshes the raw tables whose files under sources/ were added, changed or "
    "deleted (by content hash), and everything downstream of them.",
)
def source_change(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    current = fingerprints(settings.sources_dir())
    cursor = json.dumps(current, sort_keys=True)
    if context.cursor is None:
        # The baseline. A lost cursor must not rebuild everything; a never-built or outdated
        # warehouse is built by the daily schedule or `crw refresh` (eager() requests assets
        # that become missing, not ones missing from the start).
        return dg.SensorResult(
            skip_reason=f"recorded {len(current)} source files as the baseline",
            cursor=cursor,
            dynamic_partitions_requests=_partition_requests(context.instance, context.log),
        )
    changed = _changed_paths(json.loads(context.cursor), current)
    if not changed:
        return dg.SensorResult(skip_reason="no source file changed", cursor=cursor)
    partitions = _partition_requests(context.instance, context.log)
    context.log.info(f"changed under sources/: {', '.join(changed)}")

    graph = context.repository_def.asset_graph
    raw_keys = {key for key in graph.materializable_asset_keys if key.path[0] == RAW}
    tables = _affected_tables(changed, {key.path[-1] for key in raw_keys}, context.log)
    keys = {relation_key(raw(table)) for table in tables}
    if keys - raw_keys:
        context.log.warning(
            f"{sorted(k.to_user_string() for k in keys - raw_keys)} are not in the loaded "
            "definitions: reload the code location to add new tables"
        )
    keys &= raw_keys
    if not keys:
        return dg.SensorResult(
            skip_reason=f"{len(changed)} changed file(s) feed no table",
            cursor=cursor,
            dynamic_partitions_requests=partitions,
        )
    selection = sorted(dg.AssetSelection.assets(*keys).downstream().resolve(graph))
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=hashlib.sha256(cursor.encode()).hexdigest()[:16],
                asset_selection=selection,
                tags={"crw/trigger": "source_change"},
            )
        ],
        cursor=cursor,
        dynamic_partitions_requests=partitions,
    )


# Two sensors, so that the runs they request carry the right tag: those that write the
# warehouse queue one at a time, the per-report extraction beside them.
declarative_automation = dg.AutomationConditionSensorDefinition(
    "declarative_automation",
    target=dg.AssetSelection.all() - dg.AssetSelection.assets(MENTIONS_KEY),
    run_tags={WRITES_WAREHOUSE_TAG: "true"},
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=AUTOMATION_POLL_SECONDS,
    description="Evaluates every warehouse asset's automation condition: downstream assets "
    "follow their upstream assets once those changed and passed their blocking checks.",
)
extraction_automation = dg.AutomationConditionSensorDefinition(
    "extraction_automation",
    target=dg.AssetSelection.assets(MENTIONS_KEY),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=AUTOMATION_POLL_SECONDS,
    description="Extracts the document of a report whose partition the source_change sensor "
    "has just added (the extraction's on_missing condition).",
)


def _follow_upstream(spec: dg.AssetSpec) -> dg.AssetSpec:
    if spec.automation_condition is not None or not spec.deps:
        return spec
    return spec.replace_attributes(automation_condition=FOLLOW_UPSTREAM)


def follow_upstream(assets: Sequence[dg.AssetsDefinition]) -> Sequence[dg.AssetsDefinition]:
    """The assets, where every one with upstream assets and no automation condition of its
    own gets FOLLOW_UPSTREAM: whatever model or metric assets are added follow their inputs."""
    return dg.map_asset_specs(_follow_upstream, assets)
