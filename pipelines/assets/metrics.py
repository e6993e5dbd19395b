"""Derived metrics (group `metrics`): GPU demand, CAGRs and the arithmetic audit,
built by one step.

Each reads the figures mart (and reference tables) from the run's working copy of the
warehouse, computes in Python what SQL cannot say clearly, and writes one `marts.*` table.
Every derived row carries `input_ids`, the figure (and scenario) rows it was computed from;
`marts.metric_inputs` (a SQL model) unnests them into the lineage table.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence

import dagster as dg
import duckdb
import pandas as pd
from pydantic import Field

from pipelines.assets.keys import relation_key
from pipelines.assets.layer import Build, Member, layer_asset
from pipelines.metadata import FINDINGS_QUERY, chart_metadata, frame_markdown, frame_preview
from warehouse.docs import TableDoc, python_table_doc
from warehouse.extraction.coverage import (
    COVERAGE_COLUMNS,
    COVERAGE_TYPES,
    ReportCoverage,
    batch_frame,
    coverage_batches,
)
from warehouse.extraction.review import UNTRANSCRIBED
from warehouse.figures import read_figures, read_table
from warehouse.loading import quote_indexes
from warehouse.metrics import audit, cagr, gpu_demand, scenarios
from warehouse.registry import Registry
from warehouse.relations import (
    ACCELERATORS,
    CAGR,
    FIGURES_MART,
    GPU_DEMAND,
    GPU_DEMAND_SENSITIVITY,
    GPU_SCENARIOS,
    REPORT_CONSISTENCY,
    REPORT_COVERAGE,
    REPORT_DOCUMENTS,
    REPORTS,
    raw,
    split,
)
from warehouse.store import Batches

# Derived tables are marts like the SQL ones (same schema, same readers): one group in the UI.
GROUP = "marts"


def _metric(
    relation: str,
    deps: list[str],
    build: Callable[[Build], Iterable],
    checks: Sequence[dg.AssetCheckSpec] = (),
) -> Member:
    """What every metric asset shares: key = its relation, group, kinds, and the description
    from the table's docs (dbt_like_sql/marts/_models.yml). `deps` are the relations it reads."""
    schema, name = split(relation)
    return Member(
        spec=dg.AssetSpec(
            relation_key(relation),
            group_name=GROUP,
            kinds={"duckdb", "pandas", "python"},
            deps=[relation_key(r) for r in deps],
            description=python_table_doc(name, schema).comment,
            metadata=chart_metadata(name),
        ),
        build=build,
        checks=checks,
        relation=relation,
    )


def _publish(
    build: Build, relation: str, frame: pd.DataFrame, **extra
) -> Iterable[dg.MaterializeResult]:
    """Replace `relation` with `frame` and report it, unless only checks were selected."""
    if not build.write:
        return
    schema, name = split(relation)
    doc = python_table_doc(name, schema)
    frame = doc.conform(frame)
    build.warehouse.build.replace_table(
        schema, name, frame=frame, description=doc.comment, column_docs=doc.column_comments
    )
    yield _materialized(relation, frame, **extra)


def _materialized(relation: str, rows: pd.DataFrame, **extra) -> dg.MaterializeResult:
    """The materialization of a table written from Python: a preview of `rows`, and `extra`."""
    return dg.MaterializeResult(
        asset_key=relation_key(relation), metadata={**frame_preview(rows), **extra}
    )


# --- GPU demand ----------------------------------------------------------------------------


class GpuScenarioConfig(dg.Config):
    """A one-off scenario from the launchpad: its rows land beside the baseline and the file
    scenarios, and stay until a run with a new one-off scenario of the same name
    (`scenarios.demand_frame`)."""

    name: str = ""
    description: str = "one-off scenario from run config"
    overrides: dict[str, float] = Field(default_factory=dict)


def _report_gpu_figures(con) -> pd.DataFrame:
    return gpu_demand.newest_gpu_figures(read_figures(con, "gpu_model"), read_table(con, REPORTS))


REPRODUCES_REPORT = "reproduces_report"


def _gpu_demand(build: Build):
    config: GpuScenarioConfig = build.config.gpu_demand
    con = build.warehouse.build.connection
    previous = (
        read_table(con, GPU_DEMAND)
        if build.warehouse.build.has_table(*split(GPU_DEMAND))
        else pd.DataFrame()
    )
    one_off = (
        scenarios.Scenario(config.name, scenarios.RUN_CONFIG, config.description, config.overrides)
        if config.name
        else None
    )
    gpu_figures = _report_gpu_figures(con)
    frame = scenarios.demand_frame(gpu_figures, read_table(con, GPU_SCENARIOS), one_off, previous)
    baseline = frame[frame["scenario"] == gpu_demand.BASELINE].set_index("workload")
    yield from _publish(
        build,
        GPU_DEMAND,
        frame,
        training_gpus=int(baseline.at["training", "gpus"]),
        inference_gpus=int(baseline.at["inference", "gpus"]),
        scenarios=dg.MetadataValue.json(sorted(frame["scenario"].unique().tolist())),
    )
    comparison = gpu_demand.reproduction(frame, gpu_figures)
    yield dg.AssetCheckResult(
        asset_key=relation_key(GPU_DEMAND),
        check_name=REPRODUCES_REPORT,
        passed=bool(len(comparison)) and bool(comparison["matches"].all()),
        metadata={
            "outputs_compared": len(comparison),
            "comparison": dg.MetadataValue.md(frame_markdown(comparison)),
        },
    )


class SensitivityConfig(dg.Config):
    """The grid's axes; the accelerators come from accelerators.csv."""

    utilizations_pct: list[float] = Field(default_factory=lambda: [30, 40, 50, 60])
    window_days: list[float] = Field(default_factory=lambda: [15, 30, 60, 90])


def _gpu_demand_sensitivity(build: Build):
    config: SensitivityConfig = build.config.gpu_demand_sensitivity
    con = build.warehouse.build.connection
    baseline = gpu_demand.baseline_parameters(_report_gpu_figures(con))
    frame = gpu_demand.sensitivity(
        baseline[gpu_demand.TRAINING],
        read_table(con, ACCELERATORS),
        config.utilizations_pct,
        config.window_days,
    )
    return _publish(build, GPU_DEMAND_SENSITIVITY, frame)


# --- CAGR ----------------------------------------------------------------------------------


def _cagr(build: Build):
    con = build.warehouse.build.connection
    frame = cagr.compute_cagr(read_figures(con, columns=cagr.FIGURE_COLUMNS))
    headline = frame[
        (frame["series"] == "intelligent_compute/china/compute")
        & (frame["start_period"] == "2021")
        & (frame["end_period"] == "2026")
    ]
    extra = (
        {"china_intelligent_compute_2021_2026_pct": round(float(headline["cagr_pct"].iloc[0]), 2)}
        if len(headline)
        else {}
    )
    return _publish(build, CAGR, frame, **extra)


# --- the arithmetic audit ------------------------------------------------------------------


def _audit_checks() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            f"report_{relation}",
            asset=relation_key(REPORT_CONSISTENCY),
            description=f"The report's own '{relation}' relations hold within "
            "printed rounding (a warning, not a failure: slips are findings).",
        )
        for relation in audit.RELATIONS
    ]


FINDING_COLUMNS = ["check_id", "stated", "recomputed", "abs_diff", "tolerance", "description"]


def _report_consistency(registry: Registry, build: Build):
    con = build.warehouse.build.connection
    frame = audit.report_consistency(
        registry,
        read_figures(con, columns=audit.figure_columns(registry)),
        {
            name: read_table(con, raw(name), audit.raw_columns(registry.tables[name]))
            for name in audit.ruled_tables(registry)
        },
        read_table(con, CAGR),
        quote_indexes(registry, {str(r["report_id"]) for r in registry.readings}),
    )
    mismatches = frame[frame["status"] == audit.MISMATCH]
    yield from _publish(
        build,
        REPORT_CONSISTENCY,
        frame,
        relations=len(frame),
        mismatches=len(mismatches),
    )
    for relation in audit.RELATIONS:
        rows = frame[frame["relation"] == relation]
        bad = rows[rows["status"] == audit.MISMATCH]
        yield dg.AssetCheckResult(
            asset_key=relation_key(REPORT_CONSISTENCY),
            check_name=f"report_{relation}",
            passed=bad.empty,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "relations": len(rows),
                "mismatches": len(bad),
                "findings": dg.MetadataValue.md(
                    frame_markdown(bad[FINDING_COLUMNS]) if len(bad) else "none"
                ),
                FINDINGS_QUERY: "SELECT check_id, stated, recomputed, unit, note "
                f"FROM report_consistency WHERE status = 'mismatch' AND relation = '{relation}'",
            },
        )


# --- coverage of the report documents -------------------------------------------------------

UNTRANSCRIBED_FIGURES = "untranscribed_figures"
SHOWN = 200


class _CoverageFrames:
    """marts.report_coverage as frames of a batch of reports each, in the table's documented
    shape, keeping what the asset reports of them: the first rows (the preview), and the
    untranscribed rows' count and first SHOWN."""

    def __init__(self, con: duckdb.DuckDBPyConnection, doc: TableDoc):
        self.con, self.doc = con, doc
        self.found = ReportCoverage()
        self.head = doc.conform(pd.DataFrame(columns=list(COVERAGE_COLUMNS)))
        self.untranscribed = 0
        self.shown: list[pd.DataFrame] = []

    def __iter__(self) -> Iterator[pd.DataFrame]:
        for index, batch in enumerate(coverage_batches(self.con, self.found)):
            frame = self.doc.conform(batch_frame(batch))
            if index == 0:
                self.head = frame.head(SHOWN)
            untranscribed = frame[frame["status"] == UNTRANSCRIBED]
            self.untranscribed += len(untranscribed)
            if sum(map(len, self.shown)) < SHOWN:
                self.shown.append(untranscribed.head(SHOWN))
            yield frame


def _report_coverage(build: Build):
    con = build.warehouse.build.connection
    schema, name = split(REPORT_COVERAGE)
    doc = python_table_doc(name, schema)
    frames = _CoverageFrames(con, doc)
    if build.write:
        build.warehouse.build.replace_table(
            schema,
            name,
            batches=Batches({c: COVERAGE_TYPES[c] for c in doc.columns}, frames),
            description=doc.comment,
            column_docs=doc.column_comments,
        )
        found = frames.found
        yield _materialized(
            REPORT_COVERAGE,
            frames.head,
            coverage_pct=round(100 * found.found_share, 1),
            curated_figures=found.curated,
            curated_not_found=dg.MetadataValue.json(found.not_found),
            untranscribed=frames.untranscribed,
            reports_from_stored_extraction=dg.MetadataValue.json(found.stored),
        )
    else:  # only the check was selected: count, write nothing
        for _ in frames:
            pass
    columns = ["report_id", "line", "value_as_printed", "unit", "period", "quote"]
    shown = pd.concat([frames.head.iloc[:0], *frames.shown]).head(SHOWN)[columns]
    yield dg.AssetCheckResult(
        asset_key=relation_key(REPORT_COVERAGE),
        check_name=UNTRANSCRIBED_FIGURES,
        passed=frames.untranscribed == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "untranscribed": frames.untranscribed,
            "figures": dg.MetadataValue.md(frame_markdown(shown) if len(shown) else "none"),
            FINDINGS_QUERY: "SELECT report_id, line, value_as_printed, unit, period "
            f"FROM report_coverage WHERE status = '{UNTRANSCRIBED}'",
        },
    )


class MetricsConfig(dg.Config):
    """Run config of the metrics step (the launchpad's `ops: {metrics: {config: …}}`)."""

    gpu_demand: GpuScenarioConfig = Field(default_factory=GpuScenarioConfig)
    gpu_demand_sensitivity: SensitivityConfig = Field(default_factory=SensitivityConfig)


def metric_assets(registry: Registry) -> list[dg.AssetsDefinition]:
    members = [
        _metric(
            GPU_DEMAND,
            [FIGURES_MART, REPORTS, GPU_SCENARIOS],
            _gpu_demand,
            [
                dg.AssetCheckSpec(
                    REPRODUCES_REPORT,
                    asset=relation_key(GPU_DEMAND),
                    description="The report_baseline scenario gives exactly the GPU-hours, "
                    "GPUs and servers the report prints (section 1.6).",
                )
            ],
        ),
        _metric(
            GPU_DEMAND_SENSITIVITY,
            [FIGURES_MART, REPORTS, ACCELERATORS],
            _gpu_demand_sensitivity,
        ),
        _metric(CAGR, [FIGURES_MART], _cagr),
        _metric(
            REPORT_CONSISTENCY,
            [FIGURES_MART, CAGR, REPORT_DOCUMENTS, *map(raw, audit.ruled_tables(registry))],
            lambda build: _report_consistency(registry, build),
            _audit_checks(),
        ),
        _metric(
            REPORT_COVERAGE,
            [FIGURES_MART, REPORT_DOCUMENTS, REPORTS],
            _report_coverage,
            [
                dg.AssetCheckSpec(
                    UNTRANSCRIBED_FIGURES,
                    asset=relation_key(REPORT_COVERAGE),
                    description="Every figure the extractor finds in a report document is "
                    "transcribed (a warning: the list is what a reviewer adds next).",
                )
            ],
        ),
    ]
    return [
        layer_asset(
            "metrics",
            members,
            config_class=MetricsConfig,
            description="Computes the selected derived metrics (GPU demand, CAGRs, the audit, the "
            "coverage of the report documents).",
        )
    ]
