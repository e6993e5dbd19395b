"""reports/…: the report's figures for people (group `reports`).

- `reports/charts` renders the key figures as PNG charts under `charts/`; its metadata names
  each chart, its sources and the published file (a link, not the image: an inline PNG made
  the run history store ~0.75 MB per refresh, three times over).
- `reports/report_html` writes `report.html`: one self-contained page with the charts, the
  key tables, the GPU model reproduction and the consistency findings.
- `reports/site` writes the data site `site/` (warehouse/reporting/site.py): the marts'
  catalogue, a page per mart with its rows and downloads, the figure page, findings, charts,
  search and lineage (each table's inputs, from the asset graph: the SQL models' own reads).

They are one step, `reports`, as each layer is (a step of their own would cost Dagster's
fixed per-step overhead once more). Both show the newest report that states figures for
every chart (`report_to_show`) and read the run's working copy of the warehouse. They write
into the run's build, so their files appear beside the warehouse file together with the
DuckDB file it was drawn from, when the run is published, and not at all if the run fails.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import dagster as dg

from pipelines.assets.keys import relation_key
from pipelines.assets.layer import Build, Member, layer_asset
from pipelines.metadata import PATH
from warehouse.atomic_files import write_file_atomically
from warehouse.relations import DIM_DATA_SOURCES, DIM_REPORTS, FIGURES_MART
from warehouse.reporting.charts import CHART_FIGURE_TABLES, CHART_READS, CHARTS, write_charts
from warehouse.reporting.page import KEY_TABLES, render_page
from warehouse.reporting.paths import CHARTS_DIR, REPORT_FILE
from warehouse.reporting.provenance import provenance, provenance_text, report_to_show
from warehouse.reporting.site import SITE_DIR, SITE_SCHEMA, build_site

GROUP = "reports"
CHARTS_KEY = dg.AssetKey([GROUP, "charts"])
REPORT_KEY = dg.AssetKey([GROUP, "report_html"])
SITE_KEY = dg.AssetKey([GROUP, "site"])
REPORT_READS = (DIM_REPORTS, DIM_DATA_SOURCES, FIGURES_MART)


def _deps(*relations: str) -> list[dg.AssetKey]:
    return [relation_key(r) for r in sorted(set(relations))]


def _charts(build: Build):
    con = build.warehouse.build.connection
    report_id = report_to_show(con, CHART_FIGURE_TABLES)["report_id"]
    published = build.warehouse.build.published_artifact(CHARTS_DIR)
    metadata: dict[str, dg.MetadataValue] = {
        "charts": dg.MetadataValue.int(len(CHARTS)),
        PATH: dg.MetadataValue.path(str(published)),
    }
    charts = write_charts(con, report_id, build.warehouse.build.artifact_path(CHARTS_DIR))
    # a chart whose marts, report and code are unchanged keeps the PNG of the run before
    metadata["charts_drawn"] = dg.MetadataValue.int(sum(chart.drawn for chart in charts))
    for chart in charts:
        spec, path = chart.spec, published / chart.path.name
        source = provenance_text(provenance(con, report_id, spec.figure_tables))
        metadata[spec.name] = dg.MetadataValue.md(
            f"**{spec.title}**\n\n{source}\n\n[{path.name}]({path.as_uri()})"
        )
        metadata[f"{spec.name}_path"] = dg.MetadataValue.path(str(path))
    yield dg.MaterializeResult(asset_key=CHARTS_KEY, metadata=metadata)


def _report_html(build: Build):
    warehouse = build.warehouse.build
    page = render_page(
        warehouse.connection,
        report_to_show(warehouse.connection, CHART_FIGURE_TABLES),
        warehouse.artifact_path(CHARTS_DIR),
        datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    data = page.encode("utf-8")
    write_file_atomically(warehouse.artifact_path(REPORT_FILE), data)
    path = warehouse.published_artifact(REPORT_FILE)
    yield dg.MaterializeResult(
        asset_key=REPORT_KEY,
        metadata={
            PATH: dg.MetadataValue.path(str(path)),
            "size_kb": round(len(data) / 1024, 1),
            "url": dg.MetadataValue.url(path.as_uri()),
        },
    )


def _site(lineage: Mapping[str, Sequence[str]]):
    def build_member(build: Build):
        warehouse = build.warehouse.build
        summary = build_site(
            warehouse.connection,
            warehouse.artifact_path(SITE_DIR),
            report_to_show(warehouse.connection, CHART_FIGURE_TABLES)["report_id"],
            lineage,
            datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
        index = warehouse.published_artifact(SITE_DIR) / "index.html"
        yield dg.MaterializeResult(
            asset_key=SITE_KEY,
            metadata={
                "path": dg.MetadataValue.path(str(index)),
                "url": dg.MetadataValue.url(index.as_uri()),
                "tables": summary.tables,
                "files": summary.files,
                "figures": summary.figures,
            },
        )

    return build_member


CHARTS_SPEC = dg.AssetSpec(
    CHARTS_KEY,
    group_name=GROUP,
    kinds={"python", "matplotlib"},
    deps=_deps(*CHART_READS, *REPORT_READS),
    description="The report's key figures as PNG charts with Chinese labels: "
    + "; ".join(spec.title for spec in CHARTS)
    + ". Published to charts/ beside the warehouse file; the metadata links each file.",
)
REPORT_SPEC = dg.AssetSpec(
    REPORT_KEY,
    group_name=GROUP,
    kinds={"python", "html"},
    deps=[
        CHARTS_KEY,
        *_deps(
            *REPORT_READS,
            *(t.relation for t in KEY_TABLES),
            "marts.gpu_demand",
            "marts.report_consistency",
        ),
    ],
    description="report.html, published beside the warehouse file: one self-contained page "
    "(no network needed) with the charts, the key tables, the GPU model reproduction and the "
    "consistency findings, each figure next to its report section and cited source.",
)


def _site_spec(lineage: Mapping[str, Sequence[str]]) -> dg.AssetSpec:
    marts = sorted(r for r in lineage if r.startswith(f"{SITE_SCHEMA}."))
    return dg.AssetSpec(
        SITE_KEY,
        group_name=GROUP,
        kinds={"python", "html"},
        deps=[CHARTS_KEY, REPORT_KEY, *_deps(*marts)],
        description="The data site, published as site/index.html beside the warehouse file: "
        "static and offline. A catalogue of the marts; a page per mart with its dictionary, "
        "lineage, rows (sortable, filterable, paged) and CSV/Parquet/XLSX downloads; one "
        "figure page with each figure's provenance, derived numbers and revisions; the "
        "findings; the charts with their figures; search in Chinese and English.",
    )


def report_assets(lineage: Mapping[str, Sequence[str]]) -> list[dg.AssetsDefinition]:
    """`lineage`: each table the site shows (`schema.table`) and the tables it is built from."""
    return [
        layer_asset(
            "reports",
            [
                Member(CHARTS_SPEC, _charts),
                Member(REPORT_SPEC, _report_html),
                Member(_site_spec(lineage), _site(lineage)),
            ],
            description="Draws the selected report artifacts (charts, report.html, the data "
            "site) into the build.",
        )
    ]
