"""XLSX files from a query: the one download format DuckDB cannot write itself.

xlsxwriter writes in constant-memory mode, row by row as the rows are fetched, so a table of
any size costs the memory of one batch; a caller that knows its result is small (the data
site, whose XLSX files are of at most XLSX_CELLS cells) asks for the in-memory mode instead,
about twice as fast for small files (no temporary files to write and remove). Text is
always written as text: a cell reading `=1+1` or `http://…` stays those characters (no
formula, no link is made of data). Excel's own limits are checked, not silently cut:
1,048,576 rows a sheet (the header is one) and 32,767 characters a cell.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path

import duckdb
import xlsxwriter

MAX_DATA_ROWS = 1_048_575  # an Excel sheet's rows less the header
MAX_CELL_CHARACTERS = 32_767
BATCH_ROWS = 10_000
SHEET_NAME_CHARACTERS = 31


class XlsxLimit(ValueError):
    """The result does not fit in an Excel sheet; CSV or Parquet hold it."""


def _cell(value: object) -> object:
    """A value xlsxwriter writes as the matching Excel type (numbers, booleans, dates and
    text); lists and structs become their JSON text, times and UUIDs their text."""
    if value is None or isinstance(value, bool | int | float | decimal.Decimal | str):
        text = value if isinstance(value, str) else ""
        if len(text) > MAX_CELL_CHARACTERS:
            raise XlsxLimit(
                f"a text of {len(text):,} characters is longer than an Excel cell holds "
                f"({MAX_CELL_CHARACTERS:,}); export CSV or Parquet instead"
            )
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def write_xlsx(
    cursor: duckdb.DuckDBPyConnection, output: Path, sheet: str = "data", small: bool = False
) -> int:
    """Write the executed query of `cursor` (header, then its rows) to `output` as one sheet
    and return the number of rows written. `small`: the result fits in memory."""
    workbook = xlsxwriter.Workbook(
        str(output),
        {
            "constant_memory": not small,
            "in_memory": small,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    try:
        worksheet = workbook.add_worksheet(sheet[:SHEET_NAME_CHARACTERS])
        bold = workbook.add_format({"bold": True})
        columns = [d[0] for d in cursor.description or ()]
        worksheet.write_row(0, 0, columns, bold)
        count = 0
        while batch := cursor.fetchmany(BATCH_ROWS):
            if count + len(batch) > MAX_DATA_ROWS:
                raise XlsxLimit(
                    f"more than {MAX_DATA_ROWS:,} rows do not fit in an Excel sheet; "
                    "export CSV or Parquet instead"
                )
            for row in batch:
                count += 1
                worksheet.write_row(count, 0, [_cell(v) for v in row])
        worksheet.freeze_panes(1, 0)
    finally:
        workbook.close()
    return count
