"""`crw`: query the published warehouse read-only, export a query's result or a whole table,
list its tables, extract a report document's numbers, or refresh it.

`query` and `tables` need only DuckDB; Dagster is imported by `refresh` alone, so reading
starts fast. Every failure is one line on stderr and exit code 1, never a traceback.
"""

import argparse
import gc
import os
import sys
from pathlib import Path

import duckdb

from warehouse.query import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT_SECONDS,
    EXPORT_FORMATS,
    FORMATS,
    QueryTimeout,
    export_query,
    list_tables,
    render,
    run_query,
)
from warehouse.query_guard import QueryRefused

DESCRIPTION_WIDTH = 80  # `crw tables` cuts long descriptions in table format (CSV/JSON: whole)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crw",
        description="Cloud Report Warehouse. The warehouse file is warehouse/cloud.duckdb "
        "unless WAREHOUSE_PATH says otherwise.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    query = commands.add_parser(
        "query",
        help="run one read-only SQL query and print the result (or export it with --output)",
    )
    query.add_argument("sql", help='the query, e.g. "SELECT * FROM marts.cagr"')
    query.add_argument(
        "--format",
        choices=sorted(set(FORMATS) | set(EXPORT_FORMATS)),
        help="output format: table (default), csv or json; with --output: csv (default), "
        "json, parquet or xlsx",
    )
    rows = query.add_mutually_exclusive_group()
    rows.add_argument(
        "--limit",
        type=int,
        help=f"print at most this many rows (default {DEFAULT_LIMIT}; an export has no limit "
        "unless given)",
    )
    rows.add_argument("--no-limit", action="store_true", help="print every row")
    query.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"stop the query after this many seconds (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    query.add_argument(
        "-o", "--output", type=Path, help="write the whole result to this file instead"
    )
    tables = commands.add_parser("tables", help="list schemas, tables, row counts, descriptions")
    tables.add_argument("--format", choices=FORMATS, default="table", help="output format")
    describe = commands.add_parser(
        "describe", help="one table's data dictionary: description, grain, key, columns"
    )
    describe.add_argument("table", help="e.g. gpu_demand or marts.gpu_demand")
    describe.add_argument("--format", choices=FORMATS, default="table", help="output format")
    export = commands.add_parser(
        "export", help="write one table or view whole to a file: CSV, Parquet or XLSX"
    )
    export.add_argument("table", help="e.g. it_spend or marts.it_spend")
    export.add_argument(
        "--format",
        choices=("csv", "parquet", "xlsx"),
        help="the file's format (default: the output's suffix if it names one, else csv)",
    )
    export.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
    extract = commands.add_parser(
        "extract",
        help="every numeric mention of a report document (PDF or text); --draft writes the "
        "figures its report's tables lack as rows to review",
    )
    extract.add_argument("document", type=Path, help="the report's PDF or text file")
    extract.add_argument(
        "--report", help="its report_id: dates it, and matches the curated figures (figure_id)"
    )
    extract.add_argument("--format", choices=FORMATS, default="table", help="output format")
    extract.add_argument(
        "--draft",
        action="store_true",
        help="write the untranscribed figures as draft rows of a figures table (CSV)",
    )
    extract.add_argument(
        "-o", "--output", type=Path, help="write to this file (never inside sources/)"
    )
    commands.add_parser(
        "refresh",
        help="materialize every asset now, with progress, and "
        "publish the warehouse if everything passed",
    )
    return parser


def _query(args: argparse.Namespace) -> int:
    if args.output is not None:
        fmt = args.format or "csv"
        if fmt not in EXPORT_FORMATS:
            raise QueryRefused(f"--output writes {', '.join(EXPORT_FORMATS)}, not {fmt}")
        count = export_query(args.sql, args.output, fmt, limit=args.limit, timeout=args.timeout)
        print(f"wrote {count} row{'' if count == 1 else 's'} to {args.output}", file=sys.stderr)
        return 0
    fmt = args.format or "table"
    if fmt not in FORMATS:
        raise QueryRefused(f"--format {fmt} needs --output FILE (it is not printable)")
    limit = None if args.no_limit else (DEFAULT_LIMIT if args.limit is None else args.limit)
    result = run_query(args.sql, limit=limit, timeout=args.timeout)
    print_output(render(result, fmt))
    if result.truncated:
        print(
            f"crw query: showed the first {limit} rows; --limit N or --no-limit prints more, "
            "--output FILE exports them all",
            file=sys.stderr,
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from warehouse.describe import UnknownTable
    from warehouse.export import export_table, table_format
    from warehouse.xlsx import XlsxLimit

    try:
        relation, count = export_table(
            args.table, args.output, table_format(args.output, args.format)
        )
    except (UnknownTable, XlsxLimit) as error:
        print(f"crw export: {error}", file=sys.stderr)
        return 1
    print(
        f"wrote {relation} ({count} row{'' if count == 1 else 's'}) to {args.output}",
        file=sys.stderr,
    )
    return 0


def print_output(text: str) -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `crw query … | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "refresh":
        print("crw refresh: loading the pipeline …", flush=True)
        from pipelines.refresh import refresh

        return refresh()
    if args.command == "extract":
        from pipelines.extract_command import extract_command

        return extract_command(args.document, args.report, args.format, args.draft, args.output)
    if args.command == "describe":
        from pipelines.describe_command import describe_command

        return describe_command(args.table, args.format)
    try:
        if args.command == "query":
            return _query(args)
        if args.command == "export":
            return _export(args)
        print_output(render(list_tables(), args.format, max_width=DESCRIPTION_WIDTH))
        return 0
    except (QueryRefused, QueryTimeout, FileNotFoundError, duckdb.Error) as error:
        message = str(error)
    except MemoryError:
        message = "out of memory; add a LIMIT, or export with --output FILE"
    except KeyboardInterrupt:
        message = "interrupted"
    except OSError as error:
        message = f"{type(error).__name__}: {error}"
    print(f"crw {args.command}: {message}", file=sys.stderr)
    return 1


def entry() -> None:
    """The `crw` command: `main`, then exit leaving the heap to the operating system. After a
    refresh it holds Dagster, pandas and the run's objects, and the interpreter's last garbage
    collections over them took 1.1-1.4 s of every `crw refresh` (docs/benchmarks.md); frozen
    objects are skipped by those collections. Exit handlers still run. Not in `main`, which
    tests call in their own process."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
