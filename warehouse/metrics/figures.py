"""Reading the figures the metrics are computed from, in the shape the metrics expect."""

from __future__ import annotations

import duckdb
import pandas as pd

FIGURES_TABLE = "marts.fct_report_figures"


def dimension_label(dimensions) -> str:
    """`{'region': 'china'}` → `region=china` (the text the cross-checks filter on)."""
    if dimensions is None or (not isinstance(dimensions, dict) and pd.isna(dimensions)):
        return ""
    return ";".join(f"{k}={v}" for k, v in sorted(dict(dimensions).items()))


def read_figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every stated figure, with its dimensions as a label."""
    figures = con.sql(f"SELECT * FROM {FIGURES_TABLE}").df()
    return figures.assign(dimension=figures["dimensions"].map(dimension_label))


def rows_of(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """`frame[columns].to_dict("records")`, the same values, built ~3x faster from whole
    columns (what per-row Python over 100,000s of figures needs)."""
    lists = [frame[column].tolist() for column in columns]
    return [dict(zip(columns, values, strict=True)) for values in zip(*lists, strict=True)]


def read_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> pd.DataFrame:
    return con.sql(f'SELECT * FROM "{schema}"."{table}"').df()
