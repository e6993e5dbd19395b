"""Read-only SQL against the published warehouse: results as a table, CSV or JSON, and
exports to a file (CSV, JSON, Parquet or XLSX).

Two guards keep `crw query` harmless: `query_guard` refuses anything but one query before it
reaches DuckDB (with a message saying why), and the connection (`store.connect_readonly`) can
read only the warehouse and write nothing. Results stream: at most `limit` rows are fetched,
and a statement that runs past `timeout` seconds is interrupted. Results are fetched into plain
Python values (no pandas), so the CLI starts in well under a second.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import decimal
import io
import json
import os
import threading
import unicodedata
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.number_text import number_text
from warehouse.query_guard import read_only_statement
from warehouse.store import connect_readonly, quote, sql_literal

FORMATS = ("table", "csv", "json")
EXPORT_FORMATS = ("csv", "json", "parquet", "xlsx")
DEFAULT_LIMIT = 1000  # rows printed unless --limit/--no-limit says otherwise
DEFAULT_TIMEOUT_SECONDS = 60.0

TABLES_SQL = """
SELECT schema_name, table_name, 'table' AS kind, comment FROM duckdb_tables()
WHERE database_name = current_database()
UNION ALL
SELECT schema_name, view_name, 'view', comment FROM duckdb_views()
WHERE database_name = current_database() AND NOT internal
ORDER BY 1, 2
"""


class QueryTimeout(RuntimeError):
    """The statement ran longer than its time limit and was interrupted."""


@dataclass(frozen=True)
class Result:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    truncated: bool = False  # more rows existed than the limit let through


@contextlib.contextmanager
def _time_limit(con: duckdb.DuckDBPyConnection, seconds: float | None) -> Generator[None]:
    """Interrupt `con` after `seconds`; DuckDB has no statement timeout of its own."""
    if seconds is None:
        yield
        return
    timer = threading.Timer(seconds, con.interrupt)
    timer.start()
    try:
        yield
    except duckdb.InterruptException:
        if timer.is_alive():  # interrupted by something else (Ctrl-C)
            raise
        raise QueryTimeout(
            f"the query ran longer than {seconds:g} s and was stopped; "
            "--timeout SECONDS allows longer"
        ) from None
    finally:
        timer.cancel()


def run_query(
    sql: str,
    path: Path | None = None,
    *,
    limit: int | None = DEFAULT_LIMIT,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> Result:
    """The query's first `limit` rows (all with None), fetched as they stream: a huge
    result costs no more memory than the rows kept."""
    statement = read_only_statement(sql)
    with connect_readonly(path) as con, _time_limit(con, timeout):
        cursor = con.execute(statement)
        columns = tuple(d[0] for d in cursor.description or ())
        if limit is None:
            return Result(columns, cursor.fetchall())
        rows = cursor.fetchmany(limit + 1)
        return Result(columns, rows[:limit], truncated=len(rows) > limit)


def export_query(
    sql: str,
    output: Path,
    fmt: str,
    path: Path | None = None,
    *,
    limit: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> int:
    """Write the query's result to `output` (CSV with a header, a JSON array, Parquet or an
    XLSX sheet) and return its row count. DuckDB writes CSV, JSON and Parquet itself,
    streaming, and the connection may write only a temporary file beside `output`; XLSX is
    written from the streamed rows (`warehouse.xlsx`). The temporary file is renamed over
    `output` once complete, so a failed export leaves `output` as it was."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {EXPORT_FORMATS}")
    statement = read_only_statement(sql, allow_explain=False)
    if limit is not None:
        statement = f"SELECT * FROM ({statement}) LIMIT {int(limit)}"
    output = output.expanduser().resolve()
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    options = "FORMAT json, ARRAY true" if fmt == "json" else f"FORMAT {fmt}"
    try:
        if fmt == "xlsx":
            from warehouse.xlsx import write_xlsx  # xlsxwriter: ~0.1 s no other query pays

            with connect_readonly(path) as con, _time_limit(con, timeout):
                count = write_xlsx(con.execute(statement), temporary)
        else:
            with connect_readonly(path, writable=(temporary,)) as con, _time_limit(con, timeout):
                copy = f"COPY ({statement}) TO {sql_literal(str(temporary))} ({options})"
                count = con.execute(copy).fetchall()[0][0]
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
    return count


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


def _cell_text(value: object) -> str:
    """A cell of the aligned table: a number positional and without float noise (`15531`,
    not `15531.0`; `3000000000000000000`, not `3e+18`), anything else as `_text` writes it."""
    if isinstance(value, int | float | decimal.Decimal) and _is_number(value):
        return number_text(value)
    return _text(value, "NULL")


def _clip(text: str, max_width: int | None) -> str:
    if max_width is None or _display_width(text) <= max_width:
        return text
    while _display_width(text) > max_width - 1:
        text = text[:-1]
    return text + "…"


def _table(result: Result, max_width: int | None) -> str:
    cells = [[_clip(_cell_text(v), max_width) for v in row] for row in result.rows]
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

    count = f"({len(cells)} row{'' if len(cells) == 1 else 's'}" + (
        ", more not shown)" if result.truncated else ")"
    )
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
