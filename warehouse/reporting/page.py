"""The report page: one self-contained HTML file (charts inlined as PNG data URIs, CSS inline,
no script, nothing fetched from the network) with the charts, the key tables, the GPU model
reproduction and the consistency findings, each next to its provenance (report section and
cited source, linked to the list of sources at the end). All text is HTML-escaped."""

import base64
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from warehouse.metrics.gpu_demand import reproduction
from warehouse.reporting import FIGURES_TABLE, provenance
from warehouse.reporting.charts import CHARTS

# A CJK-capable stack first (Debian's fonts-noto-cjk, then macOS and Windows faces).
FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"WenQuanYi Micro Hei", sans-serif'
)
CSS = f"""
body {{ font-family: {FONT_STACK}; margin: 0 auto; max-width: 1100px; padding: 1.5rem;
       color: #1d2733; line-height: 1.5; }}
h1 {{ font-size: 1.6rem; margin-bottom: .2rem; }}
h3 {{ overflow-wrap: anywhere; }}
h2 {{ border-bottom: 2px solid #1f5f9e; padding-bottom: .2rem; margin-top: 2.5rem; }}
.subtitle, .provenance, footer {{ color: #52606d; font-size: .9rem; }}
figure {{ margin: 1.5rem 0; }}
figure img {{ max-width: 100%; border: 1px solid #d9e2ec; }}
figcaption {{ font-weight: 600; }}
table {{ border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }}
th, td {{ border: 1px solid #d9e2ec; padding: .25rem .5rem; text-align: left;
          vertical-align: top; }}
th {{ background: #f0f4f8; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.ok {{ color: #1e7d32; }} .mismatch {{ color: #b3261e; font-weight: 600; }}
nav a {{ margin-right: 1rem; }}
"""


@dataclass(frozen=True)
class KeyTable:
    title: str
    relation: str
    columns: tuple[str, ...]
    figure_tables: tuple[str, ...]


KEY_TABLES = (
    KeyTable(
        "全球IT支出 Global IT spending (USD million)",
        "marts.it_spend",
        (
            "segment_zh",
            "segment",
            "period",
            "is_forecast",
            "spend_usd_mn",
            "growth_pct",
            "data_source",
        ),
        ("it_spend",),
    ),
    KeyTable(
        "公有云市场 Public cloud market",
        "marts.public_cloud_market",
        (
            "region",
            "segment_zh",
            "period",
            "market_size_usd_100m",
            "market_size_cny_100m",
            "growth_pct",
            "share_of_public_cloud_pct",
            "data_source",
        ),
        ("public_cloud_market",),
    ),
    KeyTable(
        "中国智能算力 China intelligent compute",
        "marts.intelligent_compute",
        ("region_zh", "period", "is_forecast", "compute_eflops", "cagr_pct", "data_source"),
        ("intelligent_compute",),
    ),
    KeyTable(
        "市场份额 Market shares",
        "marts.market_share",
        ("market", "vendor_zh", "period", "share_pct", "rank", "data_source"),
        ("market_share",),
    ),
    KeyTable(
        "运营商云 Carrier cloud",
        "marts.carrier_cloud",
        ("carrier_zh", "period", "revenue_cny_100m", "growth_pct", "data_source"),
        ("carrier_cloud",),
    ),
)


def _escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return "<td></td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | float):
        return (
            f'<td class="num">{value:,.6g}</td>'
            if isinstance(value, float)
            else f'<td class="num">{value:,}</td>'
        )
    return f"<td>{_escape(value)}</td>"


def html_table(frame: pd.DataFrame, row_classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{_escape(column)}</th>" for column in frame.columns)
    rows = []
    for i, values in enumerate(frame.astype(object).itertuples(index=False)):
        cls = f' class="{_escape(row_classes[i])}"' if row_classes else ""
        rows.append(f"<tr{cls}>{''.join(_cell(v) for v in values)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def provenance_html(entries: list[tuple[str, str, str]]) -> str:
    """`Provenance: §1.1 Gartner` with each source linked to its entry in the source list."""
    items = [
        f'§{_escape(section)} <a href="#source-{_escape(code)}">{_escape(name)}</a>'
        for section, code, name in entries
    ]
    return f'<p class="provenance">Provenance: {"; ".join(items) or "—"}</p>'


def _charts_section(con: duckdb.DuckDBPyConnection, report_id: str, folder: Path) -> str:
    parts = ['<section id="charts"><h2>图表 Charts</h2>']
    for spec in CHARTS:
        path = folder / spec.file_name
        if not path.exists():
            raise FileNotFoundError(f"{path}: chart missing; materialize reports/charts first")
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        note = f'<p class="provenance">{_escape(spec.note)}</p>' if spec.note else ""
        parts.append(
            f'<figure id="chart-{_escape(spec.name)}">'
            f"<figcaption>{_escape(spec.title)}</figcaption>"
            f'<img src="data:image/png;base64,{data}" alt="{_escape(spec.title)}">'
            f"{provenance_html(provenance(con, report_id, spec.figure_tables))}{note}"
            "</figure>"
        )
    return "".join(parts) + "</section>"


def _tables_section(con: duckdb.DuckDBPyConnection, report_id: str) -> str:
    parts = ['<section id="tables"><h2>关键数据表 Key tables</h2>']
    for table in KEY_TABLES:
        frame = con.execute(
            f"SELECT {', '.join(table.columns)} FROM {table.relation} WHERE report_id = ? "
            f"ORDER BY ALL",
            [report_id],
        ).df()
        parts.append(
            f"<h3>{_escape(table.title)} <small><code>{_escape(table.relation)}"
            f"</code></small></h3>{html_table(frame)}"
            f"{provenance_html(provenance(con, report_id, table.figure_tables))}"
        )
    return "".join(parts) + "</section>"


def _gpu_section(con: duckdb.DuckDBPyConnection, report_id: str) -> str:
    demand = con.sql("SELECT * FROM marts.gpu_demand").df()
    model = con.execute(
        f"SELECT * FROM {FIGURES_TABLE} WHERE report_id = ? AND table_name = 'gpu_model'",
        [report_id],
    ).df()
    comparison = reproduction(demand, model)
    verdict = (
        "every printed result reproduced exactly"
        if comparison["matches"].all()
        else "some printed results are NOT reproduced"
    )
    scenarios = demand[
        [
            "scenario",
            "scenario_origin",
            "workload",
            "gpu_hours",
            "gpus",
            "servers",
            "gpus_provisioned",
            "servers_provisioned",
            "description",
        ]
    ]
    return (
        '<section id="gpu"><h2>GPU需求模型复现 GPU demand model reproduction</h2>'
        f"<p>The report's baseline (section 1.6) recomputed from its stated assumptions: "
        f"<strong>{_escape(verdict)}</strong>.</p>"
        + html_table(comparison, ["ok" if m else "mismatch" for m in comparison["matches"]])
        + provenance_html(provenance(con, report_id, ("gpu_model",)))
        + "<h3>Baseline and scenarios <small><code>marts.gpu_demand</code></small></h3>"
        + html_table(scenarios.sort_values(["scenario", "workload"]))
        + "</section>"
    )


def _findings_section(con: duckdb.DuckDBPyConnection, report_id: str) -> str:
    findings = con.execute(
        f"""
        SELECT c.check_id, c.relation, c.description, c.stated, c.recomputed, c.abs_diff,
               c.tolerance, f.section, f.data_source, f.data_source_name
        FROM marts.report_consistency c
        LEFT JOIN {FIGURES_TABLE} f ON f.figure_id = c.input_ids[1]
        WHERE c.status = 'mismatch' AND (f.report_id = ? OR f.report_id IS NULL)
        ORDER BY f.section, c.check_id""",
        [report_id],
    ).df()
    total = con.sql("SELECT count(*) FROM marts.report_consistency").fetchall()[0][0]
    rows = []
    for finding in findings.itertuples(index=False):
        table = html_table(
            pd.DataFrame(
                [
                    {
                        "stated": finding.stated,
                        "recomputed": finding.recomputed,
                        "abs_diff": finding.abs_diff,
                        "tolerance": finding.tolerance,
                    }
                ]
            )
        )
        source = (
            provenance_html(
                [(str(finding.section), str(finding.data_source), str(finding.data_source_name))]
            )
            if finding.section
            else ""
        )
        rows.append(
            f'<article class="finding"><h3 class="mismatch">{_escape(finding.check_id)}'
            f"</h3><p>{_escape(finding.description)}</p>{table}{source}</article>"
        )
    return (
        '<section id="findings"><h2>一致性审查 Consistency findings</h2>'
        f"<p>{len(findings)} of {total} relations among the report's own figures do not hold "
        "within printed rounding (<code>marts.report_consistency</code>, status = mismatch). "
        "They are findings about the report, not pipeline failures.</p>"
        + "".join(rows)
        + "</section>"
    )


def _sources_section(con: duckdb.DuckDBPyConnection) -> str:
    sources = con.sql(
        "SELECT data_source, data_source_name, data_source_name_zh, figures "
        "FROM marts.dim_data_sources WHERE figures > 0 ORDER BY ALL"
    ).df()
    items = "".join(
        f'<li id="source-{_escape(s.data_source)}">{_escape(s.data_source_name)} '
        f"({_escape(s.data_source_name_zh)}): {s.figures} figures</li>"
        for s in sources.itertuples(index=False)
    )
    return f'<section id="sources"><h2>数据来源 Cited sources</h2><ul>{items}</ul></section>'


def render_page(
    con: duckdb.DuckDBPyConnection, report: dict[str, Any], charts_folder: Path, generated_at: str
) -> str:
    report_id = report["report_id"]
    title = f"{report['title_zh']} — {report['title']}"
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{_escape(report['title_zh'])}</h1>"
        f'<p class="subtitle">{_escape(report["title"])}<br>'
        f"{_escape(report['publisher_zh'])} ({_escape(report['publisher'])}), "
        f"{_escape(pd.Timestamp(report['publication_date']).date().isoformat())} "
        f"({_escape(report['publication_date_precision'])}"
        f"); report id <code>{_escape(report_id)}</code></p>"
        '<nav><a href="#charts">Charts</a><a href="#tables">Key tables</a>'
        '<a href="#gpu">GPU model</a><a href="#findings">Findings</a>'
        '<a href="#sources">Sources</a></nav></header><main>'
        + _charts_section(con, report_id, charts_folder)
        + _tables_section(con, report_id)
        + _gpu_section(con, report_id)
        + _findings_section(con, report_id)
        + _sources_section(con)
        + f"</main><footer><p>Generated {_escape(generated_at)} from the Cloud Report "
        "Warehouse marts; every figure traces to <code>marts.fct_report_figures</code>."
        "</p></footer></body></html>"
    )
