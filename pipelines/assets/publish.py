"""publish/warehouse: the run's last step makes its build the published version.

It depends on every other asset, so in a run that selects it (the schedule, the source-change
sensor, declarative automation, `crw refresh`, "Materialize all") it runs after everything
else and only if everything else succeeded. Publishing swaps the DuckDB file and every
artifact of the run (charts, report.html) in together; if that fails, this step fails, the run
fails with the cause, and readers keep the previous version.
"""

from collections.abc import Iterable

import dagster as dg

from pipelines.resources import WAREHOUSE_POOL, WarehouseResource

PUBLISH_KEY = dg.AssetKey(["publish", "warehouse"])
VERSION = "version"  # metadata: the published version's directory name


def publish_asset(upstream: Iterable[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISH_KEY,
        group_name="publish",
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        deps=sorted(set(upstream) - {PUBLISH_KEY}),
        description="Publishes the run's build (the DuckDB file, charts, report.html) as one "
        "new version, atomically, after every other asset of the run succeeded. Readers see "
        "the previous version until then.",
    )
    def publish_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
        version = warehouse.publish()
        if version is None:
            return dg.MaterializeResult(metadata={"published": False})
        return dg.MaterializeResult(
            metadata={
                "published": True,
                VERSION: version.name,
                "path": dg.MetadataValue.path(str(warehouse.published_path)),
                "files": sorted(p.name for p in version.iterdir()),
                "size_mb": round(
                    (version / warehouse.published_path.name).stat().st_size / 2**20, 1
                ),
            }
        )

    return publish_warehouse
