"""`crw describe TABLE`: one table's data dictionary, read from the published warehouse.

Types, row count and comments come from DuckDB (so it describes exactly what is published);
grain, unique key and units come from the models' docs (warehouse/docs.py). A bare name is
looked up in `marts` first, where analysts work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.docs import TableDoc, schema_docs
from warehouse.query import Result
from warehouse.store import connect_readonly, quote

SEARCH_SCHEMAS = ("marts", "staging", "raw")


class UnknownTable(LookupError):
    """No table or view of that name in the warehouse."""


@dataclass(frozen=True)
class TableDescription:
    schema: str
    name: str
    rows: int
    description: str
    doc: TableDoc | None
    columns: Result  # column, type, unit, description

    def header(self) -> str:
        lines = [f"{self.schema}.{self.name}: {self.rows:,} row{'' if self.rows == 1 else 's'}"]
        if self.doc and self.doc.description:
            lines.append(self.doc.description)
        elif self.description:
            lines.append(self.description)
        if self.doc and self.doc.grain:
            lines.append(f"Grain: {self.doc.grain}.")
        if self.doc and self.doc.unique_key:
            lines.append(f"Unique key: ({', '.join(self.doc.unique_key)}).")
        return "\n".join(lines)


def resolve_table(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, str, str]:
    """(schema, table, comment) of `name`; a bare name is looked up in marts first."""
    schema, _, table = name.rpartition(".")
    candidates = [schema] if schema else list(SEARCH_SCHEMAS)
    rows = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() "
        "WHERE lower(table_name) = lower(?) AND database_name = current_database() "
        "UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views() "
        "WHERE lower(view_name) = lower(?) AND database_name = current_database() "
        "AND NOT internal",
        [table, table],
    ).fetchall()
    found = {row[0]: row for row in rows}
    for candidate in candidates:
        if candidate in found:
            return found[candidate]
    known = ", ".join(sorted(f"{s}.{t}" for s, t, _ in rows)) or "none"
    raise UnknownTable(
        f"no table {name!r} in the warehouse (tables of that name: {known}); "
        "`crw tables` lists them all"
    )


def describe(name: str, path: Path | None = None) -> TableDescription:
    with connect_readonly(path) as con:
        return table_description(con, *resolve_table(con, name))


def table_description(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    comment: str | None,
    docs: Mapping[str, TableDoc] | None = None,
) -> TableDescription:
    """The dictionary of a table `con` has (the published file, or a run's build for the
    data site). `docs`: the schema's docs when the caller describes many tables (the site),
    read once instead of once a table."""
    rows = con.execute(f"SELECT count(*) FROM {quote(schema)}.{quote(table)}").fetchall()[0][0]
    columns = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = ? AND table_name = ? AND database_name = current_database() "
        "ORDER BY column_index",
        [schema, table],
    ).fetchall()
    doc = (schema_docs(schema) if docs is None else docs).get(table)
    documented = {column: doc.column_doc(column) for column, _, _ in columns} if doc else {}
    return TableDescription(
        schema,
        table,
        rows,
        comment or "",
        doc,
        Result(
            ("column", "type", "unit", "description"),
            [
                (
                    column,
                    data_type,
                    (known.unit or "") if (known := documented.get(column)) else "",
                    known.description if known else column_comment,
                )
                for column, data_type, column_comment in columns
            ],
        ),
    )
