"""Compound annual growth rates for every yearly series of stated levels.

A series is one (report, table, dimension, entity, metric, unit) with values for two or more
calendar years. Every span between two of its years gets a row; where the report states a
CAGR for a span (metric `cagr`, period `2021/2026`), or a growth rate for a one-year span,
it is put beside the recomputed one. A stated CAGR whose endpoints are not both stated still
gets a row, with the missing endpoint it implies.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import pandas as pd

from warehouse.figures import Row, rows_of

LEVEL_EXCLUDED_UNITS = {"percent", "percentage points", "rank", "multiple"}
SERIES_KEYS = ["report_id", "table_name", "dimension", "entity"]
COLUMNS = [
    "series",
    *SERIES_KEYS,
    "metric",
    "unit",
    "start_period",
    "end_period",
    "years",
    "start_value",
    "end_value",
    "cagr_pct",
    "stated_cagr_pct",
    "implied_start_value",
    "implied_end_value",
    "start_figure_id",
    "end_figure_id",
    "stated_figure_id",
    "start_decimals",
    "end_decimals",
    "input_ids",
]
# the columns of marts.fct_report_figures `compute_cagr` reads
FIGURE_COLUMNS = (
    *SERIES_KEYS,
    "metric",
    "unit",
    "period",
    "value",
    "figure_id",
    "value_decimals",
)
YEAR = r"^\d{4}$"
SPAN = r"^(\d{4})/(\d{4})$"


SERIES_NAME_PARTS = ("table_name", "dimension", "entity", "metric")


def series_name(row: Mapping[str, Any]) -> str:
    return _joined([row[part] for part in SERIES_NAME_PARTS])


def _joined(parts: Iterable[Any]) -> str:
    return "/".join(str(p) for p in parts if isinstance(p, str) and p)


def _stated_rates(figures: pd.DataFrame) -> pd.DataFrame:
    """Stated CAGRs (by span) and growth rates (one-year spans), in percent as stated."""
    # the metric first: matching the period of every figure cost more than the rest
    cagr = figures[figures["metric"] == "cagr"]
    cagr = cagr[cagr["period"].str.match(SPAN)]
    cagr = cagr.assign(
        start_period=cagr["period"].str.extract(SPAN)[0],
        end_period=cagr["period"].str.extract(SPAN)[1],
    )
    growth = figures[figures["metric"] == "growth"]
    growth = growth[growth["period"].str.match(YEAR)]
    growth = growth.assign(
        start_period=(growth["period"].astype(int) - 1).astype(str), end_period=growth["period"]
    )
    rates = pd.concat([cagr, growth])
    return rates.assign(stated_cagr_pct=rates["value"])[
        [*SERIES_KEYS, "start_period", "end_period", "stated_cagr_pct", "figure_id"]
    ].rename(columns={"figure_id": "stated_figure_id"})


def compute_cagr(figures: pd.DataFrame) -> pd.DataFrame:
    figures = figures.assign(dimension=figures["dimension"].fillna(""))
    levels = figures[
        figures["period"].str.match(YEAR)
        & ~figures["unit"].isin(LEVEL_EXCLUDED_UNITS)
        & (figures["value"] > 0)
    ]
    rows = []
    keys = [*SERIES_KEYS, "metric", "unit"]
    # One pass over plain records, grouped in Python: a groupby over thousands of series (one
    # per report and entity) spends more on building the groups than on the arithmetic.
    columns = [*keys, "period", "value", "figure_id", "value_decimals"]
    ordered = rows_of(levels.sort_values([*keys, "period"], kind="stable"), columns)
    for key, series in itertools.groupby(ordered, key=lambda r: tuple(r[k] for k in keys)):
        for start, end in itertools.combinations(series, 2):
            years = int(end["period"]) - int(start["period"])
            rows.append(
                {
                    **dict(zip(keys, key, strict=True)),
                    "start_period": start["period"],
                    "end_period": end["period"],
                    "start_value": start["value"],
                    "end_value": end["value"],
                    "years": years,
                    "cagr_pct": 100 * ((end["value"] / start["value"]) ** (1 / years) - 1),
                    "start_figure_id": start["figure_id"],
                    "end_figure_id": end["figure_id"],
                    "start_decimals": start["value_decimals"],
                    "end_decimals": end["value_decimals"],
                }
            )
    computed = pd.DataFrame(rows)
    stated = _stated_rates(figures)
    on = [*SERIES_KEYS, "start_period", "end_period"]
    merged = computed.merge(stated, on=on, how="left") if len(computed) else computed
    # stated CAGRs whose span has at most one stated endpoint: report the implied other one
    unmatched = stated.merge(
        computed[on] if len(computed) else stated[on].iloc[:0], on=on, how="left", indicator=True
    )
    unmatched = unmatched[
        (unmatched["_merge"] == "left_only")
        & (unmatched["end_period"].astype(int) - unmatched["start_period"].astype(int) > 1)
    ]
    by_series: dict[tuple[Any, ...], list[Row]] = {}
    for level in rows_of(levels, [*SERIES_KEYS, "metric", "unit", "period", "value", "figure_id"]):
        by_series.setdefault(tuple(level[k] for k in SERIES_KEYS), []).append(level)
    partial = [
        _implied(row, by_series.get(tuple(row[k] for k in SERIES_KEYS), []))
        for row in unmatched.to_dict("records")
    ]
    result = pd.concat([merged, pd.DataFrame([p for p in partial if p])], ignore_index=True)
    result = result.reindex(columns=COLUMNS[1:-1])
    parts = zip(*(result[part].tolist() for part in SERIES_NAME_PARTS), strict=True)
    result.insert(0, "series", [_joined(row) for row in parts])  # not apply(): a Series a row
    ids = result[["start_figure_id", "end_figure_id", "stated_figure_id"]]
    result["input_ids"] = [[i for i in row if isinstance(i, str)] for row in ids.to_numpy()]
    return result.sort_values(["series", "start_period", "end_period"]).reset_index(drop=True)


def _implied(rate: Mapping[Hashable, Any], same: list[Row]) -> Row | None:
    """A stated CAGR with one stated endpoint implies the other one (`same`: the levels of
    the rate's series, in the order of the figures)."""
    years = int(rate["end_period"]) - int(rate["start_period"])
    factor = (1 + rate["stated_cagr_pct"] / 100) ** years
    for level in same:
        base = {
            **{k: rate[k] for k in SERIES_KEYS},
            "metric": level["metric"],
            "unit": level["unit"],
            "start_period": rate["start_period"],
            "end_period": rate["end_period"],
            "years": years,
            "stated_cagr_pct": rate["stated_cagr_pct"],
            "stated_figure_id": rate["stated_figure_id"],
        }
        if level["period"] == rate["end_period"]:
            return {
                **base,
                "end_value": level["value"],
                "end_figure_id": level["figure_id"],
                "implied_start_value": level["value"] / factor,
            }
        if level["period"] == rate["start_period"]:
            return {
                **base,
                "start_value": level["value"],
                "start_figure_id": level["figure_id"],
                "implied_end_value": level["value"] * factor,
            }
    return None
