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
from warehouse.number_text import number_text
from warehouse.quotes import qualifier_words
from warehouse.relations import FIGURES_MART
from warehouse.reporting.charts import CHARTS
from warehouse.reporting.provenance import provenance

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
    """A mart shown as a table: `keys` say what a row is about, `values` its figures (a row
    with none of them is not shown), `entity` the column whose `total` row sorts last."""

    title: str
    relation: str
    entity: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    figure_tables: tuple[str, ...]


KEY_TABLES = (
    KeyTable(
        "全球IT支出 Global IT spending (USD million)",
        "marts.it_spend",
        "segment",
        ("segment_zh", "segment", "period", "is_forecast"),
        ("spend_usd_mn", "growth_pct"),
        ("it_spend",),
    ),
    KeyTable(
        "公有云市场 Public cloud market",
        "marts.public_cloud_market",
        "segment",
        ("region", "segment_zh", "period"),
        (
            "market_size_usd_100m",
            "market_size_cny_100m",
            "growth_pct",
            "share_of_public_cloud_pct",
        ),
        ("public_cloud_market",),
    ),
    KeyTable(
        "中国智能算力 China intelligent compute",
        "marts.intelligent_compute",
        "region",
        ("region_zh", "period", "is_forecast"),
        ("compute_eflops", "cagr_pct"),
        ("intelligent_compute",),
    ),
    KeyTable(
        "市场份额 Market shares",
        "marts.market_share",
        "vendor",
        ("market", "vendor_zh", "period"),
        ("share_pct", "rank"),
        ("market_share",),
    ),
    KeyTable(
        "运营商云 Carrier cloud",
        "marts.carrier_cloud",
        "carrier",
        ("carrier_zh", "period"),
        ("revenue_cny_100m", "growth_pct"),
        ("carrier_cloud",),
    ),
)
# How a qualifier reads beside a number where the printed word is not at hand (a table cell).
QUALIFIER_SIGNS = {"=": "", "~": "~", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}
# Qualifier words printed after their number (300左右, 230多款) rather than before it (近300).
SUFFIX_QUALIFIERS = {"左右", "以上", "以下", "及以上", "多", "余", "级"}
UNIT_SIGNS = {"percent": "%", "percentage points": "pp"}
# A stated figure this many times off what it is recomputed as, in the same unit, is a unit
# slip: the findings show the recomputed side in the unit the printed number stands for.
SLIP_RATIO = 1000


@dataclass(frozen=True)
class Printed:
    """A number already written out (qualifier, digits, unit): a right-aligned cell as is."""

    text: str


def escape(value: object) -> str:
    """Text for HTML (also inside attributes); a missing value is empty, not "None"."""
    return html.escape("" if value is None else str(value), quote=True)


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return "<td></td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, Printed):
        return f'<td class="num">{escape(value.text)}</td>'
    if isinstance(value, int | float):
        return f'<td class="num">{number_text(value, grouping=True)}</td>'
    return f"<td>{escape(value)}</td>"


def html_table(frame: pd.DataFrame, row_classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{escape(column)}</th>" for column in frame.columns)
    rows = []
    for i, values in enumerate(frame.astype(object).itertuples(index=False)):
        cls = f' class="{escape(row_classes[i])}"' if row_classes else ""
        rows.append(f"<tr{cls}>{''.join(_cell(v) for v in values)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def provenance_html(entries: list[tuple[str, str, str]]) -> str:
    """`Provenance: §1.1 Gartner` with each source linked to its entry in the source list."""
    items = [
        f'§{escape(section)} <a href="#source-{escape(code)}">{escape(name)}</a>'
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
        note = f'<p class="provenance">{escape(spec.note)}</p>' if spec.note else ""
        parts.append(
            f'<figure id="chart-{escape(spec.name)}">'
            f"<figcaption>{escape(spec.title)}</figcaption>"
            f'<img src="data:image/png;base64,{data}" alt="{escape(spec.title)}">'
            f"{provenance_html(provenance(con, report_id, spec.figure_tables))}{note}"
            "</figure>"
        )
    return "".join(parts) + "</section>"


def _with_qualifiers(frame: pd.DataFrame, values: tuple[str, ...]) -> pd.DataFrame:
    """Each figure of `values` written out with the qualifier of its `<column>_qualifier`
    (将近75 % is `~75`, not 75), and the qualifier columns dropped."""
    shown = frame.copy()
    for column in values:
        qualifiers = f"{column}_qualifier"
        if qualifiers not in frame.columns:
            continue
        shown[column] = pd.Series(
            [
                None
                if pd.isna(value)
                else Printed(QUALIFIER_SIGNS.get(str(sign), "") + number_text(value, grouping=True))
                for value, sign in zip(frame[column], frame[qualifiers], strict=True)
            ],
            index=frame.index,
            dtype=object,
        )
    return shown.drop(columns=[c for c in shown.columns if c.endswith("_qualifier")])


def _key_table(con: duckdb.DuckDBPyConnection, table: KeyTable, report_id: str) -> pd.DataFrame:
    """The table's rows of the report that state at least one of its figures, totals last."""
    schema, name = table.relation.split(".")
    present = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ?",
            [schema, name],
        ).fetchall()
    }
    qualifiers = [f"{c}_qualifier" for c in table.values if f"{c}_qualifier" in present]
    stated = " OR ".join(f"{column} IS NOT NULL" for column in table.values)
    frame = con.execute(
        f"SELECT {', '.join((*table.keys, *table.values, 'data_source', *qualifiers))} "
        f"FROM {table.relation} WHERE report_id = ? AND ({stated}) "
        f"ORDER BY {table.entity} = 'total', {', '.join(table.keys)}, data_source",
        [report_id],
    ).df()
    return _with_qualifiers(frame, table.values)


def _tables_section(con: duckdb.DuckDBPyConnection, report_id: str) -> str:
    parts = [
        '<section id="tables"><h2>关键数据表 Key tables</h2>'
        '<p class="provenance">Figures as printed; ~ about (约, 将近), &gt; more than (超过), '
        "≥ at least; totals last.</p>"
    ]
    for table in KEY_TABLES:
        parts.append(
            f"<h3>{escape(table.title)} <small><code>{escape(table.relation)}"
            f"</code></small></h3>{html_table(_key_table(con, table, report_id))}"
            f"{provenance_html(provenance(con, report_id, table.figure_tables))}"
        )
    return "".join(parts) + "</section>"


def _gpu_section(con: duckdb.DuckDBPyConnection, report_id: str) -> str:
    demand = con.execute("SELECT * FROM marts.gpu_demand").df()
    gpu_figures = con.execute(
        f"SELECT * FROM {FIGURES_MART} WHERE report_id = ? AND table_name = 'gpu_model'",
        [report_id],
    ).df()
    comparison = reproduction(demand, gpu_figures)
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
        f"<strong>{escape(verdict)}</strong>.</p>"
        + html_table(comparison, ["ok" if m else "mismatch" for m in comparison["matches"]])
        + provenance_html(provenance(con, report_id, ("gpu_model",)))
        + "<h3>Baseline and scenarios <small><code>marts.gpu_demand</code></small></h3>"
        + html_table(scenarios.sort_values(["scenario", "workload"]))
        + "</section>"
    )


# What a relation kind says when it does not hold: the plain part of a finding's title.
RELATION_TITLES = {
    "sum_to_total": "its parts do not add up to it",
    "sum_at_most": "its parts exceed it",
    "growth_matches_levels": "the growth rate disagrees with the levels",
    "growth_over_span": "the growth rate disagrees with the levels",
    "change": "the change disagrees with the levels",
    "formula": "does not follow from the figures it is computed from",
    "cagr": "the CAGR disagrees with its endpoints",
    "cross_check": "disagrees with the report's other figures",
}


def unit_sign(unit: str) -> str:
    return UNIT_SIGNS.get(unit, unit)


def _places(finding: Any) -> int | None:
    """The decimals the stated figure is printed with."""
    return None if pd.isna(finding.value_decimals) else int(finding.value_decimals)


def _stated_text(finding: Any) -> str:
    """The stated figure as printed: its qualifier word from the quote (近300 %), its printed
    decimals (−2.40) and its unit."""
    value = number_text(finding.value, grouping=True, decimals=_places(finding))
    names = (str(finding.entity_zh),)
    words = qualifier_words(str(finding.quote or ""), value.replace(",", ""), names)
    word = next((w for w, q in words.items() if q == finding.value_qualifier), None)
    if word is None:
        word = QUALIFIER_SIGNS.get(str(finding.value_qualifier), "")
    before, after = ("", word) if word in SUFFIX_QUALIFIERS else (word, "")
    return f"{before}{value}{after} {unit_sign(str(finding.figure_unit))}"


def finding_numbers(finding: Any) -> dict[str, Printed]:
    """Stated, recomputed, difference and tolerance, each with its unit; the derived three to
    one decimal more than the stated figure prints (28.7 % against 28.46 %), in the unit the
    report printed (370.4 亿元 against 715.67 亿元, not 71,566,650,000 CNY) or, for a unit
    slip, the unit the printed number stands for (12 FLOPS against 12 EFLOPS)."""
    unit = unit_sign(str(finding.shown_unit))
    places = (_places(finding) or 0) + 1

    def derived(value: float) -> Printed:
        shown = round(value / finding.shown_factor, places)
        return Printed(f"{number_text(shown, grouping=True)} {unit}")

    as_printed = finding.figure_unit in (finding.unit, finding.shown_unit)
    stated = (
        _stated_text(finding)
        if as_printed
        else f"{number_text(finding.stated, grouping=True)} {unit}"
    )
    return {
        "stated": Printed(stated),
        "recomputed": derived(finding.recomputed),
        "difference": derived(finding.abs_diff),
        "rounding tolerance": derived(finding.tolerance),
    }


def finding_title(finding: Any) -> str:
    """`亚马逊云 (aws) operating margin, 2022: does not follow from …`: what the stated figure
    is and what is wrong with it, in words."""
    what = str(finding.metric).replace("_", " ")
    kind = RELATION_TITLES.get(str(finding.relation), str(finding.relation).replace("_", " "))
    return f"{finding.entity_zh} ({finding.entity}) {what}, {finding.period}: {kind}"


def findings(con: duckdb.DuckDBPyConnection, report_id: str) -> pd.DataFrame:
    """The audit's mismatches in the report, each with its stated figure (the check's first
    input): what report.html and the data site's findings page show."""
    return con.execute(
        f"""
        SELECT c.check_id, c.input_ids[1] AS figure_id, c.input_ids, c.relation, c.description,
               c.note, c.stated, c.recomputed, c.unit,
               c.abs_diff, c.tolerance, f.value, f.value_decimals, f.value_qualifier,
               f.unit AS figure_unit, f.quote, f.entity, f.entity_zh, f.metric, f.period,
               f.section, f.data_source, f.data_source_name,
               coalesce(printed.unit, meant.unit, c.unit) AS shown_unit,
               coalesce(printed.factor, meant.factor, 1) AS shown_factor
        FROM marts.report_consistency c
        LEFT JOIN {FIGURES_MART} f ON f.figure_id = c.input_ids[1]
        -- the unit the report printed the figure in, where the check compares base units
        LEFT JOIN staging.stg_units printed
          ON printed.unit = f.unit AND printed.base_unit = c.unit AND f.unit <> c.unit
        -- a number printed in the base unit but orders of magnitude off (12 FLOPS for
        -- 1.2 × 10^19): the unit of that base it stands for (EFLOPS)
        LEFT JOIN LATERAL (
            SELECT u.unit, u.factor FROM staging.stg_units u
            WHERE u.base_unit = c.unit AND f.unit = c.unit AND c.stated <> 0
              AND abs(c.recomputed / c.stated) >= {SLIP_RATIO}
            ORDER BY abs(ln(u.factor) - ln(abs(c.recomputed / c.stated))) LIMIT 1
        ) meant ON true
        WHERE c.status = 'mismatch' AND c.relation <> 'reading'
          AND (f.report_id = ? OR f.report_id IS NULL)
        ORDER BY f.section, c.check_id""",
        [report_id],
    ).df()


def readings(
    con: duckdb.DuckDBPyConnection, report_id: str
) -> list[tuple[str, str, list[str], list[str]]]:
    """The audit's readings of the report: words of the report that contradict each other,
    with nothing to recompute, so shown with their quotes (check_id, description, quotes,
    the figures they concern)."""
    return con.execute(
        "SELECT check_id, description, quotes, input_ids FROM marts.report_consistency "
        "WHERE relation = 'reading' AND status = 'mismatch' AND report_id = ? "
        "ORDER BY check_id",
        [report_id],
    ).fetchall()


def _findings_section(con: duckdb.DuckDBPyConnection, report_id: str) -> str:
    found = findings(con, report_id)
    total = con.sql(
        "SELECT count(*) FROM marts.report_consistency WHERE relation <> 'reading'"
    ).fetchall()[0][0]
    rows = []
    for finding in found.itertuples(index=False):
        table = html_table(pd.DataFrame([finding_numbers(finding)]))
        source = (
            provenance_html(
                [(str(finding.section), str(finding.data_source), str(finding.data_source_name))]
            )
            if finding.section
            else ""
        )
        note = f"<p>{escape(finding.note)}</p>" if pd.notna(finding.note) else ""
        rows.append(
            f'<article class="finding" id="{escape(finding.check_id)}">'
            f'<h3 class="mismatch">{escape(finding_title(finding))}</h3>{note}{table}'
            f'<p class="provenance">{escape(finding.description)} '
            f"<code>{escape(finding.check_id)}</code></p>{source}</article>"
        )
    return (
        '<section id="findings"><h2>一致性审查 Consistency findings</h2>'
        f"<p>{len(found)} of {total} relations among the report's own figures do not hold "
        "within printed rounding (<code>marts.report_consistency</code>, status = mismatch). "
        "They are findings about the report, not pipeline failures.</p>"
        + "".join(rows)
        + "".join(
            f'<article class="finding" id="{escape(check_id)}"><h3 class="mismatch">'
            f"{escape(description)}</h3>"
            + "".join(f"<blockquote>{escape(quote)}</blockquote>" for quote in quotes)
            + f'<p class="provenance"><code>{escape(check_id)}</code></p></article>'
            for check_id, description, quotes, _ in readings(con, report_id)
        )
        + "</section>"
    )


def _sources_section(con: duckdb.DuckDBPyConnection) -> str:
    sources = con.sql(
        "SELECT data_source, data_source_name, data_source_name_zh, figures "
        "FROM marts.dim_data_sources WHERE figures > 0 ORDER BY ALL"
    ).df()
    items = "".join(
        f'<li id="source-{escape(s.data_source)}">{escape(s.data_source_name)} '
        f"({escape(s.data_source_name_zh)}): {s.figures:,} figure{'' if s.figures == 1 else 's'}"
        "</li>"
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
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(report['title_zh'])}</h1>"
        f'<p class="subtitle">{escape(report["title"])}<br>'
        f"{escape(report['publisher_zh'])} ({escape(report['publisher'])}), "
        f"{escape(pd.Timestamp(report['publication_date']).date().isoformat())} "
        f"({escape(report['publication_date_precision'])}"
        f"); report id <code>{escape(report_id)}</code></p>"
        '<nav><a href="#charts">Charts</a><a href="#tables">Key tables</a>'
        '<a href="#gpu">GPU model</a><a href="#findings">Findings</a>'
        '<a href="#sources">Sources</a></nav></header><main>'
        + _charts_section(con, report_id, charts_folder)
        + _tables_section(con, report_id)
        + _gpu_section(con, report_id)
        + _findings_section(con, report_id)
        + _sources_section(con)
        + f"</main><footer><p>Generated {escape(generated_at)} from the Cloud Report "
        "Warehouse marts; every figure traces to <code>marts.fct_report_figures</code>."
        "</p></footer></body></html>"
    )
