"""Cross-row rules a table's figures must satisfy, named in `tables.yaml` under `rules:`.

Each rule returns one boolean per row (True = fine), so pandera reports exactly the rows that
break it. Rules compare within one report: two reports may disagree, one report may not.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

YEAR_SUFFIX = re.compile(r"^(\d{4})(H[12]|Q[1-4])?$")


def previous_year(period: str) -> str | None:
    """`2023` → `2022`, `2022H1` → `2021H1`, `2022Q3` → `2021Q3`; other periods have none."""
    match = YEAR_SUFFIX.match(period)
    return f"{int(match.group(1)) - 1}{match.group(2) or ''}" if match else None


def _numeric(frame: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(frame["value"], errors="coerce")


def sum_to_total(frame: pd.DataFrame, dims: list[str], metric: str, total: str,
                 tolerance: float) -> pd.Series:
    """The `total` entity's value equals the sum of the other entities' values."""
    ok = pd.Series(True, index=frame.index)
    rows = frame[frame["metric"] == metric].assign(_v=_numeric)
    for _, group in rows.groupby(["report_id", *dims, "period"], dropna=False):
        totals = group[group["entity"] == total]
        parts = group[group["entity"] != total]
        if (len(totals) == 1 and len(parts)
                and abs(parts["_v"].sum() - totals["_v"].iloc[0]) > tolerance):
            ok[totals.index] = False
    return ok


def growth_matches_levels(frame: pd.DataFrame, dims: list[str], growth: str, level: str,
                          tolerance: float) -> pd.Series:
    """A stated growth rate (percent) agrees with the level it joins and the year before."""
    keys = ["report_id", *dims, "entity"]
    values = frame.assign(_v=_numeric)
    levels = values[values["metric"] == level][[*keys, "period", "_v"]]
    levels = levels.drop_duplicates([*keys, "period"])
    rates = values[values["metric"] == growth].assign(
        _before=lambda f: f["period"].map(previous_year)
    )
    joined = (
        rates.reset_index()
        .merge(levels.rename(columns={"_v": "_now"}), on=[*keys, "period"], how="left")
        .merge(levels.rename(columns={"period": "_before", "_v": "_then"}), on=[*keys, "_before"],
               how="left")
        .set_index("index")
    )
    recomputed = (joined["_now"] / joined["_then"] - 1) * 100
    bad = (recomputed - joined["_v"]).abs() > tolerance
    ok = pd.Series(True, index=frame.index)
    ok[bad[bad].index] = False
    return ok


def sum_at_most(frame: pd.DataFrame, dims: list[str], metric: str, max: float,
                group_by: list[str]) -> pd.Series:
    """Values of `metric` in one group (say, shares of one market and period) stay ≤ max."""
    rows = frame[frame["metric"] == metric].assign(_v=_numeric)
    sums = rows.groupby(["report_id", *group_by], dropna=False)["_v"].transform("sum")
    ok = pd.Series(True, index=frame.index)
    ok[rows.index[sums > max]] = False
    return ok


RULES: dict[str, tuple[Callable[..., pd.Series], str]] = {
    "sum_to_total": (
        sum_to_total,
        "the parts of '{metric}' must add up to the '{total}' row within {tolerance}",
    ),
    "growth_matches_levels": (
        growth_matches_levels,
        "'{growth}' must agree within {tolerance} percentage points with the change of "
        "'{level}' from the year before",
    ),
    "sum_at_most": (
        sum_at_most,
        "'{metric}' summed per {group_by} must not exceed {max}",
    ),
}
