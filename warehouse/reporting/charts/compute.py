"""Charts of computing power: China's intelligent compute with its CAGR, and the data-center
projects' compute and racks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from warehouse.reporting.charts.queries import frame as query
from warehouse.reporting.charts.style import ACCENT, ACTUAL, FORECAST, label_barh, label_bars

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# the columns of sql/datacenter_projects.sql, with their labels
DATACENTER_COUNTS = {
    "cabinets": "机柜",
    "phase1_cabinets": "一期机柜",
    "phase2_cabinets": "二期机柜",
    "cabinets_per_building": "每栋机柜",
    "standard_cabinets": "标准机柜",
    "racks": "机架",
    "standard_rack_equivalents": "折合标准机架",
}
DATACENTER_COMPUTE = {"planned_compute_pflops": "规划算力", "built_compute_pflops": "已建成算力"}


def draw_intelligent_compute(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    from matplotlib.patches import Patch

    levels = query(con, "intelligent_compute", [report_id])
    rate = query(con, "intelligent_compute_cagr", [report_id]).iloc[0]
    ax = fig.subplots()
    colors = [FORECAST if f else ACTUAL for f in levels["is_forecast"]]
    bars = ax.bar(
        levels["calendar_year"],
        levels["compute_eflops"],
        color=colors,
        width=0.6,
        edgecolor="white",
    )
    for bar, forecast in zip(bars, levels["is_forecast"], strict=True):
        bar.set_hatch("//" if forecast else None)
    label_bars(ax, bars, [f"{v:,.1f}" for v in levels["compute_eflops"]])
    years = np.arange(rate["start_year"], rate["start_year"] + rate["years"] + 1)
    path = rate["start_value"] * (1 + rate["cagr_pct"] / 100) ** (years - rate["start_year"])
    stated = (
        "" if pd.isna(rate["stated_cagr_pct"]) else f", 报告 stated {rate['stated_cagr_pct']:.1f}%"
    )
    ax.plot(
        years,
        path,
        color=ACCENT,
        marker="o",
        markersize=3,
        label=f"CAGR {rate['cagr_pct']:.1f}% (recomputed{stated})",
    )
    ax.set_xticks(years)
    ax.set_ylabel("EFLOPS")
    ax.set_ylim(0, levels["compute_eflops"].max() * 1.15)
    ax.legend(
        handles=[
            *ax.get_legend_handles_labels()[0],
            Patch(color=ACTUAL, label="实际 actual"),
            Patch(facecolor=FORECAST, hatch="//", edgecolor="white", label="预测 forecast"),
        ],
        fontsize=8,
        loc="upper left",
    )
    ax.set_title("中国智能算力规模 China intelligent compute", fontsize=10)


def _long(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """One row per project and stated measure of `columns`, labelled `project · measure`."""
    melted = frame.melt(id_vars=["name_zh"], value_vars=list(columns), var_name="measure")
    melted = melted.dropna(subset=["value"])
    return melted.assign(label=melted["name_zh"] + " · " + melted["measure"].map(columns))


def draw_datacenter_projects(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    frame = query(con, "datacenter_projects", [report_id])
    compute, racks = _long(frame, DATACENTER_COMPUTE), _long(frame, DATACENTER_COUNTS)
    ax_compute, ax_racks = fig.subplots(
        2, 1, height_ratios=[max(len(compute), 1), max(len(racks), 1)]
    )
    for ax, rows, color, unit, title in (
        (ax_compute, compute, ACCENT, "PFLOPS", "算力 compute (P = PFLOPS)"),
        (
            ax_racks,
            racks,
            ACTUAL,
            "个 count",
            "机柜/机架 cabinets and racks (各项目口径不同, 按原文列出 as stated)",
        ),
    ):
        rows = rows.sort_values("value")
        y = np.arange(len(rows))
        bars = ax.barh(y, rows["value"], color=color)
        label_barh(ax, bars, [f"{value:,.0f}" for value in rows["value"]])
        ax.set_yticks(y, rows["label"], fontsize=8)
        ax.set_xlim(0, max(rows["value"].max(), 1) * 1.15)
        ax.set_xlabel(unit)
        ax.set_title(title, fontsize=10)
