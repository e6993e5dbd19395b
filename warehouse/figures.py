"""Reading the figures the metrics are computed from, in the shape the metrics expect."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from warehouse.relations import FIGURES_MART, split

Row = dict[str, Any]  # one figure, column name → value


def read_figures(con: duckdb.DuckDBPyConnection, table_name: str | None = None) -> pd.DataFrame:
    """Every stated figure, or those of one source table."""
    where = " WHERE table_name = ?" if table_name else ""
    return con.execute(
        f"SELECT * FROM {FIGURES_MART}{where}", [table_name] if table_name else []
    ).df()


def rows_of(frame: pd.DataFrame, columns: list[str]) -> list[Row]:
    """`frame[columns].to_dict("records")`, the same values, built ~3x faster from whole
    columns (what per-row Python over 100,000s of figures needs)."""
    lists = [frame[column].tolist() for column in columns]
    return [dict(zip(columns, values, strict=True)) for values in zip(*lists, strict=True)]


def read_table(con: duckdb.DuckDBPyConnection, relation: str) -> pd.DataFrame:
    schema, table = split(relation)
    return con.sql(f'SELECT * FROM "{schema}"."{table}"').df()
