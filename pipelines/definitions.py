"""The code location `dagster dev` loads (see [tool.dagster] in pyproject.toml).

Assets are generated from the registries (`sources/tables.yaml`, `dbt_like_sql/`), so they
are returned from a `@dg.definitions` function rather than listed one by one.
"""

import dagster as dg

from pipelines.assets.extraction import extract_reports, report_mentions
from pipelines.assets.metrics import metric_assets
from pipelines.assets.models import model_assets
from pipelines.assets.publish import publish_asset
from pipelines.assets.raw import raw_assets
from pipelines.assets.reports import report_assets
from pipelines.automation import (
    daily_refresh,
    declarative_automation,
    extraction_automation,
    follow_upstream,
    refresh_all,
    source_change,
)
from pipelines.resources import WarehouseResource
from warehouse.figure_models import generated_models
from warehouse.models import ModelProject
from warehouse.registry import Registry


def table_lineage(assets: list[dg.AssetsDefinition]) -> dict[str, list[str]]:
    """`schema.table` → the tables it is built from, as the asset graph has them (a SQL
    model's are the tables its SQL reads)."""
    return {
        ".".join(key.path): sorted(".".join(d.path) for d in deps)
        for asset in assets
        for key, deps in asset.asset_deps.items()
    }


@dg.definitions
def defs() -> dg.Definitions:
    registry = Registry.load()
    python_assets = [*raw_assets(registry), *metric_assets(registry)]
    produced = {".".join(key.path) for asset in python_assets for key in asset.keys}
    project = ModelProject.load(produced, generated=generated_models(registry))
    assets = [*python_assets, *model_assets(project)]
    assets += report_assets(table_lineage(assets))
    assets.append(publish_asset(key for asset in assets for key in asset.keys))
    return dg.Definitions(
        assets=[*follow_upstream(assets), report_mentions],
        jobs=[refresh_all, extract_reports],
        schedules=[daily_refresh()],
        sensors=[source_change, declarative_automation, extraction_automation],
        resources={"warehouse": WarehouseResource()},
        # One process per run: steps of ~50 ms would otherwise pay ~2 s of process start each,
        # and the warehouse has a single writer anyway.
        executor=dg.in_process_executor,
    )
