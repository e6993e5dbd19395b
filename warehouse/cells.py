"""Cells as the source files write them, made ready for the schema and typed after it.

Every cell is read as text (source_files.py). Before validation a number may carry thousands
separators or a typographic minus, and its printed decimals are kept (they bound the figure's
rounding); after it, `true`/`false` and dates become values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

BOOLEAN_TEXT = ("true", "false")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
DECIMALS = "value_decimals"  # derived from the value as written: the precision the report states


def normalize_number(text: object) -> object:
    """`1,234.5` → `1234.5` and `−3` → `-3`; empty → missing. Anything else is left for the
    schema to reject with its own message."""
    if not isinstance(text, str):
        return text
    text = text.replace("\u2212", "-")
    if text == "":
        return None
    return text.replace(",", "") if THOUSANDS.match(text) else text


def decimals_of(text: object) -> int | None:
    """Digits after the decimal point as written (`268.0` → 1, `3.14e11` → -9), which bounds
    the rounding of the printed figure."""
    match = isinstance(text, str) and re.fullmatch(r"[+-]?\d+(?:\.(\d+))?(?:[eE]([+-]?\d+))?", text)
    if not match:
        return None
    return len(match.group(1) or "") - int(match.group(2) or 0)


def prepared(frame: pd.DataFrame, numeric_columns: Iterable[str], figures: bool) -> pd.DataFrame:
    """Numbers normalised, a figures table's printed decimals derived, empty cells missing."""
    frame = frame.reset_index(drop=True)
    for column in numeric_columns:
        if column in frame.columns:
            frame[column] = frame[column].map(normalize_number)
    if figures and "value" in frame.columns:
        frame[DECIMALS] = frame["value"].map(decimals_of).astype("Int64")
    return frame.replace({"": None})


def typed(
    valid: pd.DataFrame, boolean_columns: Iterable[str], date_columns: Iterable[str]
) -> pd.DataFrame:
    """A validated frame's `true`/`false` cells as booleans and its dates as dates."""
    for column in boolean_columns:
        valid[column] = valid[column] == BOOLEAN_TEXT[0]
    for column in date_columns:
        valid[column] = pd.to_datetime(valid[column]).dt.date
    return valid
