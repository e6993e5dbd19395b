"""The data site: static HTML that opens from the file system, offline, beside the warehouse.

    site/index.html              the catalogue: every mart with description, grain, rows, freshness
    site/tables/<mart>.html      its dictionary, lineage, downloads and rows (paged, sortable,
                                 filterable: site.js, no library)
    site/data/<mart>.js          its first FIRST_ROWS rows, as a script that sets `window.CRW`;
    site/data/<mart>.<n>.js      the rest, CHUNK_ROWS a file, which the page loads after
                                 showing its first page of rows
    site/downloads/<mart>.csv|parquet|xlsx
    site/figure.html#<figure_id> one page for every figure, reading data/figures.js: the value
                                 as printed, its provenance, the derived numbers that use it
                                 (marts.metric_inputs) and its revisions (marts.figure_vintages)
    site/findings.html, charts.html, search.html, site.js, site.css

Rows travel as `<script>` files, not JSON fetched at run time: a browser refuses `fetch` of
`file://` URLs. The number of files depends on the marts, and on the reports only through the
row files of the largest marts (one per CHUNK_ROWS rows): one figure page reads one compact
index, not a page per figure. DuckDB writes the
JSON of every row (`json_array`), CSV and Parquet itself; only XLSX goes row by row through
Python, and a mart of more than XLSX_CELLS cells (rows × columns) gets CSV and Parquet
downloads only (`crw export` writes its XLSX). A mart whose rows and columns hash as they
did when the previous site was built (`data/fingerprints.json`; a run's build starts from the
published site) keeps its files: a refresh that changes two marts rewrites two marts' files.
The catalogue reads the build the run just made, never the published file.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby, islice
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

import duckdb
import pandas as pd

from warehouse.describe import TableDescription, table_description
from warehouse.docs import schema_docs
from warehouse.number_text import number_text
from warehouse.relations import FIGURES_MART
from warehouse.reporting.charts import CHARTS
from warehouse.reporting.fingerprints import table_fingerprint
from warehouse.reporting.page import (
    QUALIFIER_SIGNS,
    UNIT_SIGNS,
    escape,
    finding_numbers,
    finding_title,
    findings,
    html_table,
    readings,
    unit_sign,
)
from warehouse.reporting.paths import CHARTS_DIR, REPORT_FILE
from warehouse.reporting.provenance import provenance, provenance_text
from warehouse.store import quote, sql_literal
from warehouse.xlsx import write_xlsx

# A build may hard-link the published site's files (warehouse/publication.py's `seed`):
# `build_site` never opens an existing file, it writes a new folder and moves into it the
# files it reuses.
SITE_DIR = "site"
SITE_SCHEMA = "marts"
STATIC = Path(__file__).with_name("site_static")
# XLSX is written cell by cell in Python (~50,000 cells/s on a loaded 2-core machine): the site
# writes it, in memory, for marts of at most this many cells; `crw export` writes the larger ones.
XLSX_CELLS = 100_000
# A mart's rows travel in data files: its first page shows once the first file is read, the
# others load after it (a 256,000-row table in one script took ~10 s to show anything).
FIRST_ROWS = 1_000
CHUNK_ROWS = 50_000
ROW_BATCH = 10_000  # rows fetched from DuckDB at a time while a data file is written
FIGURE_INDEX = "figures"
FINGERPRINTS = "data/fingerprints.json"  # each mart's fingerprint when its files were written
FIGURE_COLUMNS = (  # figure_id first: the figure page indexes on it
    "figure_id",
    "report_id",
    "entity",
    "entity_zh",
    "metric",
    "period",
    "is_forecast",
    "value",
    "unit",
    "value_qualifier",
    "value_decimals",
    "section",
    "data_source_name",
    "source_file",
    "source_line",
    "quote",
    "page",
)


def _page(title: str, body: str, depth: int = 0, scripts: Iterable[str] = ()) -> str:
    up = "../" * depth
    nav = " ".join(
        f'<a href="{up}{href}">{name}</a>'
        for href, name in (
            ("index.html", "目录 Tables"),
            ("findings.html", "审查 Findings"),
            ("charts.html", "图表 Charts"),
            ("search.html", "搜索 Search"),
            (f"../{REPORT_FILE}", "报告 Report page"),
        )
    )
    tags = "".join(f'<script src="{up}{escape(src)}"></script>' for src in ("site.js", *scripts))
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="{up}site.css">{tags}</head>'
        f"<body><nav>{nav}</nav>{body}</body></html>"
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql`, in the query's order, fetched ROW_BATCH rows at a time. Lazy: the
    query runs at the first `next`, and `con` must run nothing else until the rows are read."""
    result = con.execute(sql)
    while batch := result.fetchmany(ROW_BATCH):
        yield from batch


def _strings(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[str]:
    """The first column of each row of `sql` (see `_rows`)."""
    return (text for text, *_ in _rows(con, sql))


def _members(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[str]:
    """JSON object members `key:[value, …]` from the rows (key, value) of `sql`, ordered by
    key: the rows are grouped here as they stream by, since DuckDB's list aggregate holds
    every group at once (at 1,000 reports, ~300 MB more for the vintages' 250,000 rows)."""
    for key, rows in groupby(_rows(con, sql), key=itemgetter(0)):
        yield f"{key}:[{','.join(value for _, value in rows)}]"


def _json_rows(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[str]:
    """Every row of `sql` as a JSON array written by DuckDB (dates ISO, lists as arrays)."""
    return _strings(con, f"SELECT json_array(*COLUMNS(*))::VARCHAR FROM ({sql})")


def _write_data(path: Path, *parts: str | Iterator[str]) -> None:
    """The parts in order, a string as it is and an iterator's strings comma-separated,
    written as they arrive: a data file is never one string in memory (at 1,000 reports,
    building each as one string added ~1 GB to the refresh's peak)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for part in parts:
            if isinstance(part, str):
                out.write(part)
                continue
            first = next(part, None)
            if first is not None:
                out.write(first)
                out.writelines("," + text for text in part)


def _columns_json(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    columns = [d[0] for d in con.execute(f"SELECT * FROM ({sql}) LIMIT 0").description or ()]
    return json.dumps(columns, ensure_ascii=False)


def _chunk_count(rows: int) -> int:
    """How many data files a mart of `rows` rows gets: the first FIRST_ROWS, then
    CHUNK_ROWS a file."""
    return 1 + max(0, -(-(rows - FIRST_ROWS) // CHUNK_ROWS))


def _chunk_name(relation: str, chunk: int) -> str:
    return f"data/{relation}.js" if chunk == 0 else f"data/{relation}.{chunk + 1}.js"


def _mart_scripts(
    con: duckdb.DuckDBPyConnection, folder: Path, relation: str, sql: str, count: int
) -> None:
    """A mart's rows as its data files, the JSON of each row written by DuckDB in one pass
    over the rows: the first file sets `window.CRW` (columns, the first FIRST_ROWS rows, the
    row count), each further one hands its next CHUNK_ROWS rows to `crwRows` (site.js), which
    the page loads after showing its first page."""
    columns = _columns_json(con, sql)
    rows = _json_rows(con, sql)
    for chunk in range(_chunk_count(count)):
        path = folder / _chunk_name(relation, chunk)
        if chunk == 0:
            head = f'window.CRW={{"columns":{columns},"rows":['
            _write_data(path, head, islice(rows, FIRST_ROWS), f'],"total":{count}}};')
        else:
            _write_data(path, "crwRows([", islice(rows, CHUNK_ROWS), "]);")


@dataclass(frozen=True)
class SiteSummary:
    tables: int
    files: int
    figures: int


def _freshness(con: duckdb.DuckDBPyConnection, relations: Iterable[str]) -> dict[str, str]:
    """The newest report each of `relations` (quoted names of marts with a `report_id`) holds
    figures of: its publication date, by relation, all in one query."""
    parts = [f"SELECT {sql_literal(r)} AS relation, report_id FROM {r}" for r in relations]
    if not parts:
        return {}
    rows = con.execute(
        "SELECT relation, max(r.publication_date)::DATE::VARCHAR "
        f"FROM ({' UNION ALL '.join(parts)}) JOIN marts.dim_reports r USING (report_id) "
        "GROUP BY relation"
    ).fetchall()
    return {relation: date for relation, date in rows if date is not None}


def _lineage_html(relation: str, lineage: Mapping[str, Iterable[str]], memo: dict[str, str]) -> str:
    """`relation`'s inputs as a nested list down to the raw tables. `memo` holds each table's
    list once made: the marts share their staging inputs, and walking the graph again for
    every path through it cost more than the rest of a table page."""
    if relation not in memo:
        memo[relation] = ""  # a cycle, were there one, ends here
        items: list[str] = []
        for source in sorted(lineage.get(relation, ())):
            schema = source.partition(".")[0]
            name = (
                f'<a href="{escape(source)}.html">{escape(source)}</a>'
                if schema == SITE_SCHEMA
                else f"<code>{escape(source)}</code>"
            )
            items.append(f"<li>{name}{_lineage_html(source, lineage, memo)}</li>")
        memo[relation] = f"<ul>{''.join(items)}</ul>" if items else ""
    return memo[relation]


def _has_xlsx(rows: int, columns: int) -> bool:
    return rows * columns <= XLSX_CELLS


def _downloads(relation: str, xlsx: bool) -> list[str]:
    formats = ("csv", "parquet", "xlsx") if xlsx else ("csv", "parquet")
    return [f"downloads/{relation}.{fmt}" for fmt in formats]


def _files(relation: str, xlsx: bool, rows: int) -> list[str]:
    """The files of a mart's page besides its HTML: its rows and downloads."""
    chunks = [_chunk_name(relation, chunk) for chunk in range(_chunk_count(rows))]
    return [*chunks, *_downloads(relation, xlsx)]


def _download_links(relation: str, xlsx: bool) -> str:
    links = [
        f'<a href="../{escape(name)}" download>{name.rpartition(".")[2].upper()}</a>'
        for name in _downloads(relation, xlsx)
    ]
    if not xlsx:
        links.append(
            f"XLSX: more than {XLSX_CELLS:,} cells, <code>crw export {escape(relation)} "
            f"-o {escape(relation)}.xlsx</code> writes it"
        )
    return " · ".join(links)


def _write_files(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    relation: str,
    quoted: str,
    xlsx: bool,
    rows: int,
) -> None:
    _mart_scripts(con, folder, relation, f"SELECT * FROM {quoted}", rows)
    for name in _downloads(relation, xlsx):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        fmt = name.rpartition(".")[2]
        if fmt == "xlsx":
            write_xlsx(con.execute(f"SELECT * FROM {quoted}"), target, relation, small=True)
        else:
            into = sql_literal(str(target))
            with _one_thread(con):
                con.execute(f"COPY (SELECT * FROM {quoted}) TO {into} (FORMAT {fmt})")


@contextlib.contextmanager
def _one_thread(con: duckdb.DuckDBPyConnection) -> Generator[None]:
    """DuckDB on one thread for the statements inside. Writing a file in row order on two
    threads, DuckDB buffers what the second thread runs ahead: the CSV of the figures mart of
    1,000 reports took ~420 MB more that way and ~30 MB on one thread (0.62 against 0.42 s),
    report_coverage's Parquet ~360 against ~120 MB (0.34 against 0.42 s)."""
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(threads)}")


def _reuse(previous: Path, folder: Path, names: list[str]) -> bool:
    """Move a mart's files from the previous site if all of them are there."""
    if not all((previous / name).is_file() for name in names):
        return False
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (previous / name).rename(folder / name)
    return True


def _table_page(
    folder: Path,
    table: TableDescription,
    lineage: Mapping[str, Iterable[str]],
    memo: dict[str, str],
) -> None:
    relation = f"{table.schema}.{table.name}"
    dictionary = html_table(pd.DataFrame(table.columns.rows, columns=list(table.columns.columns)))
    links = (
        '{"figure_id": "../figure.html#"}'
        if "figure_id" in [c[0] for c in table.columns.rows]
        else "null"
    )
    doc = table.doc
    about = "".join(
        f"<p>{escape(text)}</p>"
        for text in (
            doc.description if doc else table.description,
            f"Grain: {doc.grain}." if doc and doc.grain else "",
            f"Unique key: ({', '.join(doc.unique_key)})." if doc and doc.unique_key else "",
        )
        if text
    )
    downloads = _download_links(relation, _has_xlsx(table.rows, len(table.columns.rows)))
    inputs = _lineage_html(relation, lineage, memo) or "<p>None.</p>"
    more = json.dumps(
        [f"../{_chunk_name(relation, c)}" for c in range(1, _chunk_count(table.rows))]
    )
    body = (
        f"<h1>{escape(relation)}</h1>{about}"
        f"<p>{table.rows:,} rows. Download: {downloads}</p>"
        f'<h2>Rows</h2><div id="rows"></div>'
        f"<script>dataTable(document.getElementById('rows'), window.CRW, {links}, {more});"
        "</script>"
        f"<h2>Dictionary</h2>{dictionary}"
        f"<h2>Lineage: its inputs</h2>{inputs}"
    )
    _write(
        folder / "tables" / f"{relation}.html",
        _page(relation, body, depth=1, scripts=[f"data/{relation}.js"]),
    )


def _figure_index(con: duckdb.DuckDBPyConnection, folder: Path) -> int:
    """The figure page's data: every figure, and by figure id what is derived from it and by
    series its vintages, written a row (a JSON object's member) at a time."""
    derived = (  # "figure_id":[[table, id], …], in figure order
        "SELECT to_json(figure_id)::VARCHAR AS member, json_array('marts.' || derived_table, "
        "derived_id)::VARCHAR FROM marts.metric_inputs WHERE figure_id IS NOT NULL "
        "ORDER BY member, derived_table, derived_id"
    )
    vintages = (  # "series_id":[[figure_id, report_id, …], …] of the series with several
        "SELECT to_json(series_id)::VARCHAR AS member, json_array(figure_id, report_id, value, "
        "unit, valid_from, valid_to, revision)::VARCHAR FROM marts.figure_vintages "
        "QUALIFY count(*) OVER (PARTITION BY series_id) > 1 "
        "ORDER BY member, valid_from, report_id"
    )
    signs = json.dumps({"qualifiers": QUALIFIER_SIGNS, "units": UNIT_SIGNS}, ensure_ascii=False)
    columns = ", ".join(f"f.{c}" for c in FIGURE_COLUMNS)
    sql = (
        f"SELECT {columns}, v.series_id FROM {FIGURES_MART} f "
        "LEFT JOIN marts.figure_vintages v USING (figure_id) ORDER BY f.figure_id"
    )
    _write_data(
        folder / "data" / f"{FIGURE_INDEX}.js",
        f'window.CRW={{"columns":{_columns_json(con, sql)},"rows":[',
        _json_rows(con, sql),
        '],"derived":{',
        _members(con, derived),
        '},"vintages":{',
        _members(con, vintages),
        f'}},"signs":{signs}}};',
    )
    body = (
        '<div id="figure"></div>'
        "<script>figurePage(document.getElementById('figure'), window.CRW);</script>"
    )
    _write(folder / "figure.html", _page("Figure", body, scripts=[f"data/{FIGURE_INDEX}.js"]))
    return con.execute(f"SELECT count(*) FROM {FIGURES_MART}").fetchall()[0][0]


def _figure_link(figure_id: Any, text: str) -> str:
    return f'<a href="figure.html#{escape(figure_id)}">{escape(text)}</a>'


def _findings_page(con: duckdb.DuckDBPyConnection, folder: Path, report_id: str) -> None:
    articles: list[str] = []
    for finding in findings(con, report_id).itertuples(index=False):
        ids = [str(i) for i in cast("list[object]", finding.input_ids)]
        inputs = " ".join(_figure_link(i, i) for i in ids)
        note = f"<p>{escape(finding.note)}</p>" if pd.notna(finding.note) else ""
        articles.append(
            f'<article class="finding" id="{escape(finding.check_id)}">'
            f"<h2>{escape(finding_title(finding))}</h2>{note}"
            f"{html_table(pd.DataFrame([finding_numbers(finding)]))}"
            f'<p class="provenance">{escape(finding.description)} '
            f"<code>{escape(finding.check_id)}</code>"
            f"</p><p>Stated figure: {_figure_link(finding.figure_id, 'provenance')}; "
            f"inputs: {inputs}</p></article>"
        )
    for check_id, description, quotes, input_ids in readings(con, report_id):
        articles.append(
            f'<article class="finding reading" id="{escape(check_id)}">'
            f"<h2>{escape(description)}</h2>"
            + "".join(f"<blockquote>{escape(quote)}</blockquote>" for quote in quotes)
            + f'<p class="provenance">A reading of the report: its words contradict each '
            f"other, nothing to recompute. <code>{escape(check_id)}</code></p>"
            f"<p>Figures: {' '.join(_figure_link(i, i) for i in input_ids)}</p></article>"
        )
    body = (
        "<h1>一致性审查 Consistency findings</h1><p>The relations among the report's own "
        "figures that do not hold within printed rounding, then the readings: places where "
        "the report's words contradict each other (<code>marts.report_consistency</code>, "
        "status = mismatch).</p>" + "".join(articles)
    )
    _write(folder / "findings.html", _page("Findings", body))


def _printed(row: Any) -> str:
    decimals = None if pd.isna(row.value_decimals) else int(row.value_decimals)
    sign = QUALIFIER_SIGNS.get(str(row.value_qualifier), "")
    return f"{sign}{number_text(row.value, grouping=True, decimals=decimals)} {unit_sign(row.unit)}"


def _charts_page(con: duckdb.DuckDBPyConnection, folder: Path, report_id: str) -> None:
    sections: list[str] = []
    for spec in CHARTS:
        frame = con.execute(
            f"SELECT figure_id, entity_zh, entity, metric, period, value, value_decimals, "
            f"value_qualifier, unit FROM {FIGURES_MART} "
            "WHERE report_id = ? AND list_contains(?, table_name) ORDER BY ALL",
            [report_id, list(spec.figure_tables)],
        ).df()
        rows = "".join(
            f"<tr><td>{escape(r.entity_zh)}</td><td>{escape(r.entity)}</td><td>{escape(r.metric)}</td>"
            f'<td>{escape(r.period)}</td><td class="num">{_figure_link(r.figure_id, _printed(r))}'
            "</td></tr>"
            for r in frame.itertuples(index=False)
        )
        source = provenance_text(provenance(con, report_id, spec.figure_tables))
        note = f"<p>{escape(spec.note)}</p>" if spec.note else ""
        sections.append(
            f'<section id="{escape(spec.name)}"><h2>{escape(spec.title)}</h2>'
            f'<figure><img src="../{CHARTS_DIR}/{escape(spec.file_name)}" '
            f'alt="{escape(spec.title)}">'
            f'<figcaption class="provenance">Source: {escape(source)}</figcaption></figure>{note}'
            '<table class="data"><tr><th>实体</th><th>entity</th><th>metric</th><th>period</th>'
            f"<th>value as printed</th></tr>{rows}</table></section>"
        )
    _write(folder / "charts.html", _page("Charts", "<h1>图表 Charts</h1>" + "".join(sections)))


def _search_page(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    figures = f"tables/{FIGURES_MART}.html#q="
    sql = f"""
        SELECT 'entity', entity, concat_ws(' ', entity_zh, array_to_string(names_zh, ' ')),
               '{figures}' || entity FROM marts.dim_entities
        UNION ALL
        SELECT DISTINCT 'metric', metric, NULL, '{figures}' || metric FROM {FIGURES_MART}
        UNION ALL
        SELECT 'source', data_source_name, data_source_name_zh, '{figures}' || data_source_name
        FROM marts.dim_data_sources
        UNION ALL
        SELECT 'table', schema_name || '.' || table_name || ' ' || coalesce(comment, ''), NULL,
               'tables/' || schema_name || '.' || table_name || '.html'
        FROM duckdb_tables() WHERE schema_name = '{SITE_SCHEMA}'
        ORDER BY ALL"""
    _write_data(folder / "data" / "search.js", "window.CRW_SEARCH=[", _json_rows(con, sql), "];")
    body = (
        "<h1>搜索 Search</h1><p>Entities, metrics, cited sources and tables, in Chinese or "
        'English.</p><div id="search"></div>'
        "<script>searchPage(document.getElementById('search'), window.CRW_SEARCH);</script>"
    )
    _write(folder / "search.html", _page("Search", body, scripts=["data/search.js"]))


def build_site(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    report_id: str,
    lineage: Mapping[str, Iterable[str]],
    generated_at: str,
) -> SiteSummary:
    """Write the whole site into `folder` (replacing what was there) from `con`. `lineage`
    maps each table to the tables it is built from; `report_id` is the report whose charts
    and findings the pages show."""
    previous = folder.with_name(f".{folder.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if folder.is_dir():
        folder.rename(previous)
    folder.mkdir(parents=True)
    try:
        known: dict[str, str] = json.loads((previous / FINGERPRINTS).read_text("utf-8"))
    except (OSError, ValueError):
        known = {}
    fingerprints: dict[str, str] = {}
    for asset in STATIC.iterdir():
        shutil.copyfile(asset, folder / asset.name)
    marts = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE schema_name = ? "
        "AND database_name = current_database() UNION ALL "
        "SELECT schema_name, view_name, comment FROM duckdb_views() WHERE schema_name = ? "
        "AND database_name = current_database() AND NOT internal ORDER BY 2",
        [SITE_SCHEMA, SITE_SCHEMA],
    ).fetchall()
    docs = schema_docs(SITE_SCHEMA)
    tables = [
        table_description(con, schema, name, comment, docs) for schema, name, comment in marts
    ]
    fresh = _freshness(
        con,
        [
            f"{quote(t.schema)}.{quote(t.name)}"
            for t in tables
            if "report_id" in [c[0] for c in t.columns.rows]
        ],
    )
    memo: dict[str, str] = {}
    catalogue: list[str] = []
    for table in tables:
        relation = f"{table.schema}.{table.name}"
        quoted = f"{quote(table.schema)}.{quote(table.name)}"
        types = [(column[0], column[1]) for column in table.columns.rows]
        fingerprints[relation] = table_fingerprint(con, quoted, types)
        xlsx = _has_xlsx(table.rows, len(types))
        files = _files(relation, xlsx, table.rows)
        if known.get(relation) != fingerprints[relation] or not _reuse(previous, folder, files):
            _write_files(con, folder, relation, quoted, xlsx, table.rows)
        _table_page(folder, table, lineage, memo)
        description = table.doc.description if table.doc else table.description
        grain = table.doc.grain if table.doc else ""
        catalogue.append(
            f'<tr><td><a href="tables/{escape(relation)}.html">{escape(relation)}</a></td>'
            f"<td>{escape(description)}</td><td>{escape(grain)}</td>"
            f'<td class="num">{table.rows:,}</td>'
            f"<td>{escape(fresh.get(quoted, ''))}</td></tr>"
        )
    figures = _figure_index(con, folder)
    _findings_page(con, folder, report_id)
    _charts_page(con, folder, report_id)
    _search_page(con, folder)
    body = (
        "<h1>Cloud Report Warehouse: 数据目录 Data catalogue</h1>"
        f"<p>Built {escape(generated_at)} from {figures:,} figures. Freshness is the publication "
        "date of the newest report a table holds figures of.</p>"
        '<table class="data" id="catalogue"><tr><th>table</th><th>description</th>'
        "<th>grain</th><th>rows</th><th>freshness</th></tr>" + "".join(catalogue) + "</table>"
    )
    _write(folder / "index.html", _page("Data catalogue", body))
    _write(folder / FINGERPRINTS, json.dumps(fingerprints, indent=1))
    shutil.rmtree(previous, ignore_errors=True)
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    return SiteSummary(len(marts), files, figures)
