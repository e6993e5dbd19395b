"""`crw describe TABLE`: print a table's dictionary (warehouse/describe.py) in a format."""

import sys

import duckdb

from warehouse.describe import UnknownTable, describe
from warehouse.query import render


def describe_command(table: str, fmt: str) -> int:
    try:
        description = describe(table)
    except (UnknownTable, FileNotFoundError, duckdb.Error) as error:
        print(f"crw describe: {error}", file=sys.stderr)
        return 1
    if fmt == "table":
        print(description.header() + "\n")
    print(render(description.columns, fmt), flush=True)
    return 0
