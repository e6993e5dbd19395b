"""raw/<table>: one asset per table kind in `sources/tables.yaml`, all built by one step.

Each reads the table's file from every report folder, validates it with the table's pandera
schema and, only if it passes, replaces `raw.<table>` in one transaction. The validation shows
in the UI as the blocking asset check `pandera_schema`, so nothing downstream runs on a table
that failed it, and the previous `raw.<table>` stays as it was.
"""

import dagster as dg

from pipelines.assets.keys import relation_key
from pipelines.assets.layer import Build, Member, layer_asset
from pipelines.metadata import frame_preview
from warehouse.loading import load_table
from warehouse.problems import SourceValidationError
from warehouse.registry import DOCUMENTS, REFERENCE, Registry, TableSpec
from warehouse.relations import RAW, raw
from warehouse.schemas import column_docs
from warehouse.source_files import SourceFileError

SCHEMA_CHECK = "pandera_schema"
PROBLEMS_SHOWN = 200


def _build_raw_table(registry: Registry, spec: TableSpec, build: Build):
    key = relation_key(raw(spec.name))
    try:
        loaded = load_table(registry, spec)
    except (SourceFileError, SourceValidationError) as error:
        problems = getattr(error, "problems", None) or [error]
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=SCHEMA_CHECK,
            passed=False,
            metadata={
                "problem_count": len(problems),
                "problems": dg.MetadataValue.md(
                    "\n".join(f"- {p}" for p in problems[:PROBLEMS_SHOWN])
                ),
            },
        )
        raise dg.Failure(
            description=f"raw.{spec.name} was not replaced: {error}", allow_retries=False
        ) from None
    frame = loaded.frame
    if build.write:
        build.warehouse.build.replace_table(
            RAW,
            spec.name,
            frame=frame,
            description=spec.description,
            column_docs=column_docs(spec, registry),
        )
        for name, extra in loaded.companions.items():
            build.warehouse.build.replace_table(
                RAW,
                name,
                frame=extra.frame,
                description=extra.description,
                column_docs=extra.column_docs,
            )
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                **frame_preview(frame),
                "source_files": dg.MetadataValue.json(loaded.files),
            },
            data_version=dg.DataVersion(loaded.data_version),
        )
    yield dg.AssetCheckResult(
        asset_key=key,
        check_name=SCHEMA_CHECK,
        passed=True,
        metadata={"rows_validated": len(frame), "files": len(loaded.files)},
    )


def _raw_member(registry: Registry, spec: TableSpec) -> Member:
    key = relation_key(raw(spec.name))
    references = [
        relation_key(raw(t.name)) for t in registry.tables.values() if t.kind == REFERENCE
    ]
    if spec.quoted:  # its quotes are checked against the report documents
        references += [
            relation_key(raw(t.name)) for t in registry.tables.values() if t.kind == DOCUMENTS
        ]
    return Member(
        spec=dg.AssetSpec(
            key,
            description=spec.description,
            group_name=RAW,
            kinds={"duckdb", "pandas"},
            deps=[] if spec.kind == REFERENCE else references,
            automation_condition=dg.AutomationCondition.eager(),
        ),
        build=lambda build: _build_raw_table(registry, spec, build),
        checks=[
            dg.AssetCheckSpec(
                SCHEMA_CHECK,
                asset=key,
                blocking=True,
                description="Every source file of the table passes its pandera schema "
                "(types, vocabularies, bounds, unique keys, cross-row rules) and every figure's "
                "quote is found in its report's document and agrees with the row.",
            )
        ],
        relation=raw(spec.name),
    )


def raw_assets(registry: Registry) -> list[dg.AssetsDefinition]:
    return [
        layer_asset(
            "raw_tables",
            [_raw_member(registry, spec) for spec in registry.tables.values()],
            description="Loads and validates every selected source table into raw.*.",
        )
    ]
