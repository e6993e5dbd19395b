"""raw/<table>: one asset per table kind in `sources/tables.yaml`.

Each reads the table's file from every report folder, validates it with the table's pandera
schema and, only if it passes, replaces `raw.<table>` in one transaction. The validation shows
in the UI as the blocking asset check `pandera_schema`, so nothing downstream runs on a table
that failed it, and the previous `raw.<table>` stays as it was.
"""

import dagster as dg

from pipelines.metadata import table_metadata
from pipelines.resources import WarehouseResource
from warehouse.loading import load_table
from warehouse.registry import REFERENCE, Registry, TableSpec
from warehouse.schemas import SourceValidationError, column_docs
from warehouse.source_files import SourceFileError

RAW = "raw"
SCHEMA_CHECK = "pandera_schema"


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey([RAW, table])


def _raw_asset(registry: Registry, spec: TableSpec) -> dg.AssetsDefinition:
    key = raw_key(spec.name)
    references = [raw_key(t.name) for t in registry.tables.values() if t.kind == REFERENCE]
    docs = column_docs(spec)

    @dg.asset(
        key=key,
        description=spec.description,
        group_name=RAW,
        kinds={"duckdb", "pandas"},
        deps=[] if spec.kind == REFERENCE else references,
        check_specs=[
            dg.AssetCheckSpec(
                SCHEMA_CHECK,
                asset=key,
                blocking=True,
                description="Every source file of the table passes its pandera schema "
                "(types, vocabularies, bounds, unique keys, cross-row rules).",
            )
        ],
        automation_condition=dg.AutomationCondition.eager(),
    )
    def raw_table(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        try:
            loaded = load_table(registry, spec)
        except (SourceFileError, SourceValidationError) as error:
            problems = getattr(error, "problems", None) or [error]
            yield dg.AssetCheckResult(
                check_name=SCHEMA_CHECK,
                passed=False,
                metadata={
                    "problem_count": len(problems),
                    "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:200])),
                },
            )
            raise dg.Failure(
                description=f"raw.{spec.name} was not replaced: {error}",
                allow_retries=False,
            ) from None
        frame = loaded.frame
        warehouse.build.replace_table(
            RAW, spec.name, frame=frame, description=spec.description, column_docs=docs
        )
        yield dg.MaterializeResult(
            metadata={
                **table_metadata(frame, docs),
                "source_files": dg.MetadataValue.json(loaded.files),
            },
            data_version=dg.DataVersion(loaded.data_version),
        )
        yield dg.AssetCheckResult(
            check_name=SCHEMA_CHECK,
            passed=True,
            metadata={"rows_validated": len(frame), "files": len(loaded.files)},
        )

    return raw_table


def raw_assets(registry: Registry) -> list[dg.AssetsDefinition]:
    return [_raw_asset(registry, spec) for spec in registry.tables.values()]
