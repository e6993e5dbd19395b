"""Derived metrics (group `metrics`): the GPU demand model, CAGRs and the arithmetic audit.

Each reads the figures mart (and reference tables) from the run's working copy of the
warehouse, computes in Python what SQL cannot say clearly, and writes one `marts.*` table.
Every derived row carries `input_ids`, the figure (and scenario) rows it was computed from;
`marts.metric_inputs` (a SQL model) unnests them into the lineage table.
"""

import dagster as dg
import pandas as pd
from pydantic import Field

from pipelines.assets.raw import raw_key
from pipelines.metadata import table_metadata
from pipelines.resources import WarehouseResource
from warehouse.docs import python_table_doc
from warehouse.metrics import audit, cagr, gpu_demand
from warehouse.metrics.figures import read_figures, read_table
from warehouse.registry import FIGURES, Registry

GROUP, SCHEMA = "metrics", "marts"
FIGURES_KEY = dg.AssetKey(["marts", "fct_report_figures"])


def _key(name: str) -> dg.AssetKey:
    return dg.AssetKey([SCHEMA, name])


def _metric_asset(name: str, deps: list[dg.AssetKey], **kwargs):
    """The decorator every metric asset shares: key marts/<name>, group, kinds, and the
    description from the table's docs (dbt_like_sql/marts/_models.yml)."""
    return dg.asset(
        key=_key(name),
        group_name=GROUP,
        kinds={"duckdb", "pandas", "python"},
        deps=deps,
        description=python_table_doc(name).comment,
        **kwargs,
    )


def _publish(
    warehouse: WarehouseResource, name: str, frame: pd.DataFrame, **extra
) -> dg.MaterializeResult:
    doc = python_table_doc(name)
    docs = {column: d.comment for column, d in doc.columns.items()}
    warehouse.build.replace_table(
        SCHEMA, name, frame=frame, description=doc.comment, column_docs=docs
    )
    return dg.MaterializeResult(metadata={**table_metadata(frame, docs), **extra})


# --- GPU demand ----------------------------------------------------------------------------


class GpuScenarioConfig(dg.Config):
    """A one-off scenario from the launchpad: its rows land beside the baseline and the file
    scenarios, and stay until a run with a new one-off scenario of the same name."""

    name: str = ""
    description: str = "one-off scenario from run config"
    overrides: dict[str, float] = Field(default_factory=dict)


def _report_model(con) -> pd.DataFrame:
    return gpu_demand.newest_model(
        read_figures(con, "gpu_model"), read_table(con, "raw", "reports")
    )


def _gpu_rows(
    model: pd.DataFrame, scenarios: pd.DataFrame, config: GpuScenarioConfig
) -> list[dict]:
    """Baseline, file scenarios and the run's one-off scenario, each row with the ids of the
    figures it kept from the report and of the overrides it applied."""
    baseline = gpu_demand.baseline_parameters(model)
    figure_ids = dict(zip(model["entity"] + "." + model["metric"], model["figure_id"], strict=True))
    runs = [(gpu_demand.BASELINE, "report", "The report's assumptions (section 1.6)", {})]
    for name, group in scenarios.groupby("scenario", sort=True):
        gpu_demand.check_units(name, zip(group["parameter"], group["unit"], strict=True))
        runs.append(
            (
                name,
                "scenario_file",
                group["description"].iloc[0],
                dict(zip(group["parameter"], group["value"], strict=True)),
            )
        )
    if config.name:
        runs.append((config.name, "run_config", config.description, config.overrides))
    rows = []
    for name, origin, description, overrides in runs:
        for row in gpu_demand.scenario_rows(name, origin, description, baseline, overrides):
            kept = [
                figure_ids[f"{row['workload']}.{p}"]
                for p in row["assumptions"]
                if p not in row["overridden"]
            ]
            prefix = "gpu_scenarios" if origin == "scenario_file" else origin
            rows.append(
                {**row, "input_ids": kept + [f"{prefix}/{name}/{p}" for p in row["overridden"]]}
            )
    return rows


REPRODUCES_REPORT = "reproduces_report"


@_metric_asset(
    "gpu_demand",
    [FIGURES_KEY, raw_key("reports"), raw_key("gpu_scenarios")],
    check_specs=[
        dg.AssetCheckSpec(
            REPRODUCES_REPORT,
            asset=_key("gpu_demand"),
            description="The report_baseline scenario gives exactly the GPU-hours, GPUs and "
            "servers the report prints (section 1.6).",
        )
    ],
)
def gpu_demand_table(config: GpuScenarioConfig, warehouse: WarehouseResource):
    con = warehouse.build.connection
    previous = pd.DataFrame()
    if warehouse.build.has_table(SCHEMA, "gpu_demand"):
        previous = read_table(con, SCHEMA, "gpu_demand")
        previous = previous[
            (previous["scenario_origin"] == "run_config") & (previous["scenario"] != config.name)
        ]
    model = _report_model(con)
    rows = _gpu_rows(model, read_table(con, "raw", "gpu_scenarios"), config)
    frame = pd.concat([pd.DataFrame(rows), previous], ignore_index=True)
    baseline = frame[frame["scenario"] == gpu_demand.BASELINE].set_index("workload")
    yield _publish(
        warehouse,
        "gpu_demand",
        frame,
        training_gpus=int(baseline.at["training", "gpus"]),
        inference_gpus=int(baseline.at["inference", "gpus"]),
        scenarios=dg.MetadataValue.json(sorted(frame["scenario"].unique().tolist())),
    )
    comparison = gpu_demand.reproduction(frame, model)
    yield dg.AssetCheckResult(
        check_name=REPRODUCES_REPORT,
        passed=bool(len(comparison)) and bool(comparison["matches"].all()),
        metadata={
            "outputs_compared": len(comparison),
            "comparison": dg.MetadataValue.md(comparison.to_markdown(index=False)),
        },
    )


class SensitivityConfig(dg.Config):
    """The grid's axes; the accelerators come from accelerators.csv."""

    utilizations_pct: list[float] = Field(default_factory=lambda: [30, 40, 50, 60])
    window_days: list[float] = Field(default_factory=lambda: [15, 30, 60, 90])


@_metric_asset(
    "gpu_demand_sensitivity",
    [FIGURES_KEY, raw_key("reports"), raw_key("accelerators")],
)
def gpu_demand_sensitivity(config: SensitivityConfig, warehouse: WarehouseResource):
    con = warehouse.build.connection
    baseline = gpu_demand.baseline_parameters(_report_model(con))
    frame = gpu_demand.sensitivity(
        baseline[gpu_demand.TRAINING],
        read_table(con, "raw", "accelerators"),
        config.utilizations_pct,
        config.window_days,
    )
    return _publish(warehouse, "gpu_demand_sensitivity", frame)


# --- CAGR ----------------------------------------------------------------------------------


@_metric_asset("cagr", [FIGURES_KEY])
def cagr_table(warehouse: WarehouseResource):
    frame = cagr.compute_cagr(read_figures(warehouse.build.connection))
    headline = frame[
        (frame["series"] == "intelligent_compute/china/compute")
        & (frame["start_period"] == "2021")
        & (frame["end_period"] == "2026")
    ]
    extra = (
        {"china_intelligent_compute_2021_2026": float(headline["cagr"].iloc[0])}
        if len(headline)
        else {}
    )
    return _publish(warehouse, "cagr", frame, **extra)


# --- the arithmetic audit ------------------------------------------------------------------

AUDIT_RELATIONS = (
    "sum_to_total",
    "growth_matches_levels",
    "growth_over_span",
    "change",
    "sum_at_most",
    "formula",
    "cagr",
    "cross_check",
)


def _audit_checks() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            f"report_{relation}",
            asset=_key("report_consistency"),
            description=f"The report's own '{relation}' relations hold within "
            "printed rounding (a warning, not a failure: slips are findings).",
        )
        for relation in AUDIT_RELATIONS
    ]


def _audit_rows(registry: Registry, con) -> pd.DataFrame:
    figures = read_figures(con)
    by_line = figures.set_index(["source_file", "source_line"])["figure_id"]
    rows = []
    for spec in registry.tables.values():
        if spec.kind != FIGURES or not spec.rules:
            continue  # keep in step with the asset's deps (ruled_tables)
        raw = read_table(con, "raw", spec.name)
        ids = pd.Series(
            by_line.reindex(pd.MultiIndex.from_frame(raw[["source_file", "source_line"]])).values,
            index=raw.index,
        )
        rows += audit.table_rule_rows(registry, spec, raw, ids)
    rows += audit.cagr_rows(read_table(con, SCHEMA, "cagr"), figures)
    rows += audit.cross_check_rows(list(registry.cross_checks), figures, registry.unit_factors)
    return audit.audit_frame(rows)


def report_consistency_asset(registry: Registry) -> dg.AssetsDefinition:
    ruled_tables = [s.name for s in registry.tables.values() if s.kind == FIGURES and s.rules]

    @_metric_asset(
        "report_consistency",
        [FIGURES_KEY, _key("cagr"), *map(raw_key, ruled_tables)],
        check_specs=_audit_checks(),
    )
    def report_consistency(warehouse: WarehouseResource):
        frame = _audit_rows(registry, warehouse.build.connection)
        mismatches = frame[frame["status"] == audit.MISMATCH]
        yield _publish(
            warehouse,
            "report_consistency",
            frame,
            relations=len(frame),
            mismatches=len(mismatches),
        )
        for relation in AUDIT_RELATIONS:
            rows = frame[frame["relation"] == relation]
            bad = rows[rows["status"] == audit.MISMATCH]
            yield dg.AssetCheckResult(
                check_name=f"report_{relation}",
                passed=bad.empty,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "relations": len(rows),
                    "mismatches": len(bad),
                    "findings": dg.MetadataValue.md(
                        bad[
                            [
                                "check_id",
                                "stated",
                                "recomputed",
                                "abs_diff",
                                "tolerance",
                                "description",
                            ]
                        ].to_markdown(index=False)
                        if len(bad)
                        else "none"
                    ),
                },
            )

    return report_consistency


def metric_assets(registry: Registry) -> list[dg.AssetsDefinition]:
    return [
        gpu_demand_table,
        gpu_demand_sensitivity,
        cagr_table,
        report_consistency_asset(registry),
    ]
