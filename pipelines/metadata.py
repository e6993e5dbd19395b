"""Materialization metadata every table asset reports: rows, column schema and a preview."""

import dagster as dg
import duckdb
import pandas as pd

from warehouse.store import quote

PREVIEW_ROWS = 10


def table_metadata(
    frame: pd.DataFrame,
    column_docs: dict[str, str] | None = None,
    *,
    row_count: int | None = None,
    column_types: dict[str, str] | None = None,
) -> dict:
    """Metadata of a table held in `frame`, or of a bigger one `frame` previews (then give its
    `row_count`, and its `column_types` as the database names them)."""
    docs = column_docs or {}
    types = column_types or {str(name): str(dtype) for name, dtype in frame.dtypes.items()}
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=dtype, description=docs.get(name))
            for name, dtype in types.items()
        ]
    )
    return {
        "dagster/row_count": len(frame) if row_count is None else row_count,
        "dagster/column_schema": schema,
        "preview": dg.MetadataValue.md(frame.head(PREVIEW_ROWS).to_markdown(index=False)),
    }


def duckdb_table_metadata(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    column_docs: dict[str, str] | None = None,
) -> dict:
    """`table_metadata` of a warehouse table, read from DuckDB without loading it whole."""
    relation = f"{quote(schema)}.{quote(table)}"
    types = {row[0]: row[1] for row in con.execute(f"DESCRIBE {relation}").fetchall()}
    return table_metadata(
        con.execute(f"SELECT * FROM {relation} LIMIT {PREVIEW_ROWS}").df(),
        column_docs,
        row_count=con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0],
        column_types=types,
    )
