"""What the charts share: colours, value labels on bars, and the report's own style of
sizes as bars with growth as a line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure

ACTUAL, FORECAST, ACCENT, MUTED = "#1f5f9e", "#8fb6dc", "#d1495b", "#9aa5b1"


def pct(value: Any) -> str:
    """A growth rate as printed on a chart: `+12.3%`, empty when there is none."""
    return "" if pd.isna(value) else f"{value:+.1f}%"


def label_bars(ax: Axes, bars: BarContainer, texts: list[str]) -> None:
    """`texts` above vertical bars."""
    for bar, text in zip(bars, texts, strict=True):
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
        )


def label_barh(ax: Axes, bars: BarContainer, texts: list[str]) -> None:
    """`texts` at the end of horizontal bars."""
    for bar, text in zip(bars, texts, strict=True):
        ax.annotate(
            text,
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )


def bars_with_growth(
    fig: Figure,
    frame: pd.DataFrame,
    label: str,
    value: str,
    growth: str,
    value_label: str,
    title: str,
) -> None:
    """Sizes as bars, growth as a line on a second axis (the report's own chart style)."""
    ax = fig.subplots()
    x = np.arange(len(frame))
    bars = ax.bar(x, frame[value], color=ACTUAL, width=0.55, label=value_label)
    label_bars(ax, bars, [f"{v:,.1f}" for v in frame[value]])
    ax.set_xticks(x, frame[label])
    ax.set_ylabel(value_label)
    ax.set_ylim(0, frame[value].max() * 1.18)
    twin = ax.twinx()
    twin.plot(x, frame[growth], color=ACCENT, marker="o", label="同比增速 growth (%)")
    for xi, g in zip(x, frame[growth], strict=True):
        twin.annotate(
            pct(g),
            (xi, g),
            xytext=(0, 8),
            textcoords="offset points",
            ha="center",
            color=ACCENT,
            fontsize=8,
        )
    twin.set_ylabel("同比增速 growth (%)")
    twin.set_ylim(0, max(frame[growth].max() * 1.3, 1))
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, [str(h.get_label()) for h in handles], loc="upper left", fontsize=8)
    ax.set_title(title, fontsize=10)
