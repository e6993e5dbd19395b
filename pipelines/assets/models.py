"""staging/… and marts/…: one asset per SQL model in `dbt_like_sql/` (see warehouse/models.py),
all built by one step in dependency order (as `dagster-dbt` runs a dbt project).

The asset key mirrors the DuckDB name (`staging/stg_it_spend` ↔ `staging.stg_it_spend`) and
the dependencies are the tables the SQL reads, so the graph in the UI is the SQL's own. Each
model is rebuilt in one transaction whose blocking tests run before it commits (a failing model
or blocking test keeps the previous version, skips the models that read it and fails the
step); the other tests run after, as asset checks: a failing one shows its offending rows.
"""

import dagster as dg

from pipelines.assets.keys import relation_key
from pipelines.assets.layer import Build, Member, layer_asset
from pipelines.metadata import chart_metadata, frame_markdown, table_preview
from warehouse.models import (
    FAILING_ROWS_SHOWN,
    Model,
    ModelProject,
    ModelTest,
    TestOutcome,
    run_test,
)

PREVIEWED_SCHEMAS = frozenset({"marts"})  # what people query; staging only reshapes raw


def _build_model(model: Model, build: Build):
    key = relation_key(model.relation)
    warehouse = build.warehouse.build
    if model.is_macro:
        if build.write:
            warehouse.replace_macro(
                model.schema, model.name, create_sql=model.sql, description=model.description
            )
            yield dg.MaterializeResult(asset_key=key)
        return
    if not build.write:  # only its checks were selected: test the table as it is
        for test in model.tests:
            yield _check_result(key, test, run_test(warehouse.connection, test))
        return
    blocking = [t for t in model.tests if t.blocking]
    outcomes = {}

    def blocking_tests_pass(con) -> bool:
        """Blocking tests run on the new version before it commits, so a failing one
        leaves the previous version in place (dbt would have replaced it already)."""
        outcomes.update({t.name: run_test(con, t) for t in blocking})
        return all(o.failures == 0 for o in outcomes.values())

    replaced = warehouse.replace_table(
        model.schema,
        model.name,
        sql=model.sql,
        description=model.description,
        column_docs=model.column_docs,
        gate=blocking_tests_pass,
    )
    if replaced:
        preview = (
            table_preview(warehouse.connection, model.relation)
            if model.schema in PREVIEWED_SCHEMAS
            else {}
        )
        yield dg.MaterializeResult(asset_key=key, metadata=preview)
        outcomes.update(
            {t.name: run_test(warehouse.connection, t) for t in model.tests if not t.blocking}
        )
    for test in model.tests:
        if test.name in outcomes:
            yield _check_result(key, test, outcomes[test.name])
    if not replaced:
        failed = [name for name, o in outcomes.items() if o.failures]
        raise dg.Failure(
            description=f"{model.relation} was not replaced: blocking "
            f"test(s) {failed} failed on the new version",
            allow_retries=False,
        )


def _check_result(key: dg.AssetKey, test: ModelTest, outcome: TestOutcome) -> dg.AssetCheckResult:
    metadata = {"failing_rows": outcome.failures}
    if outcome.failures:
        shown = f"first {FAILING_ROWS_SHOWN} of " if outcome.failures > len(outcome.sample) else ""
        metadata["offending_rows"] = dg.MetadataValue.md(
            f"{shown}{outcome.failures} rows:\n\n" + frame_markdown(outcome.sample)
        )
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=test.name,
        passed=outcome.failures == 0,
        severity=dg.AssetCheckSeverity.ERROR if test.blocking else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=test.description,
    )


def _model_member(model: Model) -> Member:
    key = relation_key(model.relation)
    return Member(
        spec=dg.AssetSpec(
            key,
            description=model.description or None,
            group_name=model.schema,
            kinds={"duckdb", "sql"},
            deps=[relation_key(r) for r in sorted(model.reads)],
            metadata={
                "sql_file": model.file,
                "sql": dg.MetadataValue.md(f"```sql\n{model.sql}\n```"),
                **(chart_metadata(model.name) if model.schema == "marts" else {}),
            },
        ),
        build=lambda build: _build_model(model, build),
        checks=[
            dg.AssetCheckSpec(
                test.name,
                asset=key,
                description=test.description,
                blocking=test.blocking,
                additional_deps=[relation_key(r) for r in sorted(test.reads)],
            )
            for test in model.tests
        ],
        relation=None if model.is_macro else model.relation,
    )


def model_assets(project: ModelProject) -> list[dg.AssetsDefinition]:
    return [
        layer_asset(
            "sql_models",
            [_model_member(model) for model in project.models.values()],
            description=f"Runs the selected SQL models of {project.root.name}/ in dependency "
            "order, each with its tests.",
        )
    ]
