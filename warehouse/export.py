"""`crw export TABLE`: one table or view of the published warehouse, whole, as a file.

The name is looked up in DuckDB's catalog (`describe.resolve_table`, a bare name in `marts`
first) and only the catalog's own schema and table names, quoted, reach the SQL: no text of
the user's is ever spliced into a statement. The file is written through the read-only query
connection (`query.export_query`), so an export can write nothing but its own output.
"""

from __future__ import annotations

from pathlib import Path

from warehouse.describe import resolve_table
from warehouse.query import DEFAULT_TIMEOUT_SECONDS, export_query
from warehouse.store import connect_readonly, quote

TABLE_EXPORT_FORMATS = ("csv", "parquet", "xlsx")


def table_format(output: Path, fmt: str | None) -> str:
    """The format asked for, else the one the output's suffix names, else CSV."""
    if fmt is not None:
        return fmt
    suffix = output.suffix.lower().lstrip(".")
    return suffix if suffix in TABLE_EXPORT_FORMATS else "csv"


def export_table(
    name: str,
    output: Path,
    fmt: str,
    path: Path | None = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> tuple[str, int]:
    """Write table `name` to `output`; return its qualified name and the rows written."""
    if fmt not in TABLE_EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {TABLE_EXPORT_FORMATS}")
    with connect_readonly(path) as con:
        schema, table, _ = resolve_table(con, name)
    relation = f"{quote(schema)}.{quote(table)}"
    count = export_query(f"SELECT * FROM {relation}", output, fmt, path, timeout=timeout)
    return f"{schema}.{table}", count
