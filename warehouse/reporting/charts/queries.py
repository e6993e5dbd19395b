"""The charts' SQL: each frame a chart reads is a `.sql` file in `sql/`, with `$1`, `$2` …
for its parameters (the report id first), so the queries can be read, linted and run
without the draw code."""

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).parent / "sql"


@cache
def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def frame(con: duckdb.DuckDBPyConnection, name: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """The rows of `sql/<name>.sql` with `params` bound to its placeholders."""
    return con.execute(sql(name), list(params)).df()
