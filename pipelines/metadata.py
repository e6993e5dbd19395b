"""Materialization metadata of table assets: row count and column schema from DuckDB's catalog
(one query for a whole layer), and a short preview where a person reads one."""

import math
from collections.abc import Collection, Iterable, Sequence

import dagster as dg
import duckdb
import pandas as pd

from warehouse import settings
from warehouse.reporting.charts import CHARTS
from warehouse.reporting.paths import charts_dir
from warehouse.store import quote

PREVIEW_ROWS = 10
PREVIEW_CELL_CHARS = 40  # a longer cell (a description, a list of ids) is cut with "…"
ROW_COUNT = "dagster/row_count"
COLUMN_SCHEMA = "dagster/column_schema"
# what `crw refresh` prints from the metadata: the file or folder an asset published, and the
# `crw query` statement that lists the findings of a warning check
PATH = "path"
FINDINGS_QUERY = "findings_query"

_CATALOG_SQL = """
SELECT t.schema_name || '.' || t.table_name, t.estimated_size,
       list((c.column_name, c.data_type, c.comment) ORDER BY c.column_index)
FROM duckdb_tables() AS t
JOIN duckdb_columns() AS c USING (database_name, schema_name, table_name)
WHERE t.database_name = current_database() AND t.schema_name || '.' || t.table_name IN ?
GROUP BY ALL
"""


def catalog_metadata(con: duckdb.DuckDBPyConnection, relations: Collection[str]) -> dict[str, dict]:
    """Row count and column schema (types as DuckDB names them, descriptions from the column
    comments the build stored) of every `schema.table` in `relations`, in one catalog query.
    Every table is written whole by one statement, so the catalog's row count is exact."""
    if not relations:
        return {}
    rows = con.execute(_CATALOG_SQL, [sorted(relations)]).fetchall()
    return {
        relation: {
            ROW_COUNT: count,
            COLUMN_SCHEMA: dg.TableSchema(
                columns=[
                    dg.TableColumn(name=name, type=dtype, description=doc)
                    for name, dtype, doc in columns
                ]
            ),
        }
        for relation, count, columns in rows
    }


def _cell(value: object, max_chars: int | None) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = str(value).replace("|", "\\|").replace("\n", " ")
    if max_chars is None or len(text) <= max_chars:
        return text
    return text[: max_chars - 1] + "…"


def markdown_table(
    columns: Sequence[str], rows: Iterable[Sequence[object]], max_chars: int | None = None
) -> str:
    """Rows as a Markdown table, cells unpadded (the UI lays the table out; padding only made
    the stored text longer) and cut at `max_chars`. pandas' `to_markdown` (tabulate) took
    about 5 ms a table, measuring every cell's display width: 0.4 s of a refresh's previews."""
    lines = [
        "| " + " | ".join(_cell(c, None) for c in columns) + " |",
        "|" + " --- |" * len(columns),
    ]
    lines += ["| " + " | ".join(_cell(v, max_chars) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def frame_markdown(frame: pd.DataFrame, max_chars: int | None = None) -> str:
    return markdown_table([str(c) for c in frame.columns], frame.itertuples(index=False), max_chars)


def frame_preview(frame: pd.DataFrame) -> dict:
    """The first rows of a table held in memory, as the Markdown the UI shows. Long cells are
    cut: the preview is stored with every materialization."""
    head = frame.head(PREVIEW_ROWS)
    return {"preview": dg.MetadataValue.md(frame_markdown(head, PREVIEW_CELL_CHARS))}


def table_preview(con: duckdb.DuckDBPyConnection, relation: str) -> dict:
    """`frame_preview` of a warehouse table, reading only the rows shown."""
    schema, table = relation.split(".")
    cursor = con.execute(f"SELECT * FROM {quote(schema)}.{quote(table)} LIMIT {PREVIEW_ROWS}")
    columns = [d[0] for d in cursor.description or ()]
    text = markdown_table(columns, cursor.fetchall(), PREVIEW_CELL_CHARS)
    return {"preview": dg.MetadataValue.md(text)}


def chart_metadata(table: str) -> dict[str, dg.MetadataValue]:
    """The definition metadata linking a table's chart (charts/<table>.png, published with the
    warehouse by reports/charts), for the table that has one: the asset's overview page shows
    it first, without opening a materialization. A link, not the image: run history stays small."""
    spec = next((c for c in CHARTS if c.name == table), None)
    if spec is None:
        return {}
    path = charts_dir(settings.warehouse_path()) / spec.file_name
    return {"chart": dg.MetadataValue.md(f"**{spec.title}**: [{path.name}]({path.as_uri()})")}
