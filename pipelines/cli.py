"""`crw`: query the published warehouse read-only, list its tables, or refresh it.

`query` and `tables` need only DuckDB; Dagster is imported by `refresh` alone, so reading
starts fast.
"""

import argparse
import os
import sys

import duckdb

from warehouse.query import FORMATS, QueryRefused, list_tables, render, run_query

DESCRIPTION_WIDTH = 80  # `crw tables` cuts long descriptions in table format (CSV/JSON: whole)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crw",
        description="Cloud Report Warehouse. The warehouse file is warehouse/cloud.duckdb "
        "unless WAREHOUSE_PATH says otherwise.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    query = commands.add_parser("query", help="run one read-only SQL query and print the result")
    query.add_argument("sql", help='the query, e.g. "SELECT * FROM marts.cagr"')
    tables = commands.add_parser("tables", help="list schemas, tables, row counts, descriptions")
    for sub in (query, tables):
        sub.add_argument(
            "--format",
            choices=FORMATS,
            default="table",
            help="output format (default: an aligned table)",
        )
    commands.add_parser(
        "refresh",
        help="materialize every asset now, with progress, and "
        "publish the warehouse if everything passed",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "refresh":
        print("crw refresh: loading the pipeline …", flush=True)
        from pipelines.refresh import refresh

        return refresh()
    try:
        result = run_query(args.sql) if args.command == "query" else list_tables()
    except (QueryRefused, FileNotFoundError, duckdb.Error) as error:
        print(f"crw {args.command}: {error}", file=sys.stderr)
        return 1
    width = DESCRIPTION_WIDTH if args.command == "tables" else None
    try:
        print(render(result, args.format, max_width=width), flush=True)
    except BrokenPipeError:  # `crw query … | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
