"""Read-only SQL against the published warehouse, and its results as a table, CSV or JSON.

Two guards keep `crw query` read-only: a statement that is not a query is refused before it
reaches DuckDB (with a message saying why), and the connection itself is opened read-only, so
anything the first guard lets through still cannot write. Results are fetched into plain
Python values (no pandas), so the CLI starts in well under a second.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.store import connect_readonly, quote

FORMATS = ("table", "csv", "json")
# SELECT covers WITH, FROM-first queries, VALUES, SHOW, DESCRIBE and SUMMARIZE too.
READ_STATEMENTS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})

TABLES_SQL = """
SELECT schema_name, table_name, 'table' AS kind, comment FROM duckdb_tables()
WHERE database_name = current_database()
UNION ALL
SELECT schema_name, view_name, 'view', comment FROM duckdb_views()
WHERE database_name = current_database() AND NOT internal
ORDER BY 1, 2
"""


class QueryRefused(ValueError):
    """The SQL is not a single read-only query."""


@dataclass(frozen=True)
class Result:
    columns: tuple[str, ...]
    rows: list[tuple]


def read_only_statement(sql: str) -> str:
    """The one read-only statement in `sql`, or QueryRefused saying what is wrong with it.
    SQL that does not parse raises DuckDB's own ParserException."""
    statements = duckdb.extract_statements(sql)
    if len(statements) != 1:
        raise QueryRefused(
            f"expected exactly one SQL statement, got {len(statements)}; run them one at a time"
        )
    statement = statements[0]
    if statement.type not in READ_STATEMENTS:
        kind = statement.type.name.replace("_", " ")
        raise QueryRefused(
            f"refused: {kind} statements are not allowed, the warehouse is read-only here. "
            "Only queries (SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN) "
            "can run; the warehouse is written by `crw refresh` and the Dagster pipeline."
        )
    return statement.query


def run_query(sql: str, path: Path | None = None) -> Result:
    statement = read_only_statement(sql)
    with connect_readonly(path) as con:
        cursor = con.execute(statement)
        columns = tuple(d[0] for d in cursor.description or ())
        return Result(columns, cursor.fetchall())


def list_tables(path: Path | None = None) -> Result:
    """Every table and view with its row count and its description (COMMENT ON TABLE)."""
    with connect_readonly(path) as con:
        rows = [
            (
                schema,
                name,
                kind,
                con.execute(f"SELECT count(*) FROM {quote(schema)}.{quote(name)}").fetchall()[0][0],
                comment,
            )
            for schema, name, kind, comment in con.execute(TABLES_SQL).fetchall()
        ]
    return Result(("schema", "table", "kind", "rows", "description"), rows)


def _text(value: object, null: str) -> str:
    if value is None:
        return null
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _display_width(text: str) -> int:
    """Terminal columns `text` takes: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def _clip(text: str, max_width: int | None) -> str:
    if max_width is None or _display_width(text) <= max_width:
        return text
    while _display_width(text) > max_width - 1:
        text = text[:-1]
    return text + "…"


def _table(result: Result, max_width: int | None) -> str:
    cells = [[_clip(_text(v, "NULL"), max_width) for v in row] for row in result.rows]
    widths = [
        max([_display_width(name)] + [_display_width(row[i]) for row in cells])
        for i, name in enumerate(result.columns)
    ]
    numeric = [
        any(_is_number(row[i]) for row in result.rows)
        and all(row[i] is None or _is_number(row[i]) for row in result.rows)
        for i in range(len(result.columns))
    ]

    def line(values: list[str]) -> str:
        padded = []
        for value, width, right in zip(values, widths, numeric, strict=True):
            gap = " " * (width - _display_width(value))
            padded.append(gap + value if right else value + gap)
        return "  ".join(padded).rstrip()

    count = f"({len(cells)} row{'' if len(cells) == 1 else 's'})"
    return "\n".join(
        [
            line(list(result.columns)),
            line(["-" * w for w in widths]),
            *(line(row) for row in cells),
            count,
        ]
    )


def _json_value(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def render(result: Result, fmt: str = "table", max_width: int | None = None) -> str:
    """The result as an aligned text table (cells cut at `max_width` columns, if given), CSV
    (header + rows) or a JSON array of objects."""
    if fmt == "table":
        return _table(result, max_width)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_text(v, "") for v in row] for row in result.rows)
        return out.getvalue().rstrip("\n")
    if fmt == "json":
        records = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        return json.dumps(records, ensure_ascii=False, indent=2, default=_json_value)
    raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
