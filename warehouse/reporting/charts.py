"""The report's key figures as PNG charts, drawn with matplotlib from the marts.

Labels are Chinese, as in the report, so a CJK font is required: `cjk_font()` picks the first
installed one and fails loudly when there is none, and rendering fails if any glyph is missing
from the fonts (matplotlib's "Glyph … missing from font(s)" warning), so a chart never ships
with tofu boxes. Figures are drawn on `matplotlib.figure.Figure` objects (no pyplot, no global
state), which is safe in a long-lived Dagster process. matplotlib is imported only when a
chart is drawn: importing it costs ~2.5 s, which every load of the code location would pay.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd

from warehouse.metrics.gpu_demand import BASELINE, INFERENCE, TRAINING
from warehouse.store import write_file_atomically

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure

# Preferred first: Simplified Chinese faces, then other CJK families Debian ships.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)
FONT_PACKAGE = "fonts-noto-cjk"
DPI = 110
ACTUAL, FORECAST, ACCENT, MUTED = "#1f5f9e", "#8fb6dc", "#d1495b", "#9aa5b1"
MARKET_LABELS = {
    "global_iaas": "全球IaaS",
    "china_public_cloud_iaas": "中国公有云IaaS",
    "china_public_cloud_iaas_paas": "中国公有云IaaS+PaaS",
    "china_enterprise_saas": "中国企业级SaaS",
}
CARRIER_TOTAL = "telecom_carriers"


def cjk_font() -> str:
    """The first installed CJK font family of CJK_FONTS; raises if none is installed."""
    from matplotlib import font_manager

    def installed() -> set[str]:
        return {font.name for font in font_manager.fontManager.ttflist}

    names = installed()
    if not names & set(CJK_FONTS):
        # matplotlib caches its font list; a font installed after the cache was built is
        # only found by adding its file.
        for path in font_manager.findSystemFonts():
            if "cjk" in Path(path).name.lower():
                font_manager.fontManager.addfont(path)
        names = installed()
    for family in CJK_FONTS:
        if family in names:
            return family
    raise RuntimeError(
        f"no CJK font installed (looked for {', '.join(CJK_FONTS)}): the charts' Chinese "
        f"labels would render as boxes. Install one, e.g. `apt-get install {FONT_PACKAGE}` "
        "(`make system-deps` does it)."
    )


@dataclass(frozen=True)
class ChartSpec:
    """One chart: what it shows, the marts it reads, the figure tables it cites."""

    name: str
    title: str
    reads: tuple[str, ...]
    figure_tables: tuple[str, ...]
    draw: Callable[[duckdb.DuckDBPyConnection, str, Figure], None]
    note: str = ""

    @property
    def file_name(self) -> str:
        return f"{self.name}.png"


def _frame(con: duckdb.DuckDBPyConnection, sql: str, report_id: str) -> pd.DataFrame:
    return con.execute(sql, [report_id]).df()


def _label_bars(ax: Axes, bars: BarContainer, texts: list[str]) -> None:
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


def _pct(value: Any) -> str:
    return "" if pd.isna(value) else f"{value:+.1f}%"


def _bars_with_growth(
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
    _label_bars(ax, bars, [f"{v:,.1f}" for v in frame[value]])
    ax.set_xticks(x, frame[label])
    ax.set_ylabel(value_label)
    ax.set_ylim(0, frame[value].max() * 1.18)
    twin = ax.twinx()
    twin.plot(x, frame[growth], color=ACCENT, marker="o", label="同比增速 growth (%)")
    for xi, g in zip(x, frame[growth], strict=True):
        twin.annotate(
            _pct(g),
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


# --- the charts --------------------------------------------------------------------------


def draw_it_spend(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    frame = _frame(
        con,
        """
        SELECT segment, segment_zh, period, is_forecast, spend_usd_mn / 1000 AS spend_usd_bn,
               growth_pct
        FROM marts.it_spend WHERE report_id = ? AND spend_usd_mn IS NOT NULL
        ORDER BY segment, period""",
        report_id,
    )
    total = frame[frame["segment"] == "total"]
    parts = frame[frame["segment"] != "total"]
    periods = sorted(parts["period"].unique())
    segments = (
        parts[parts["period"] == periods[-1]]
        .sort_values("spend_usd_bn", ascending=False)["segment_zh"]
        .tolist()
    )
    ax = fig.subplots()
    x = np.arange(len(segments))
    width = 0.38
    for i, period in enumerate(periods):
        rows = parts[parts["period"] == period].set_index("segment_zh").loc[segments]
        forecast = bool(rows["is_forecast"].any())
        bars = ax.bar(
            x + (i - 0.5) * width,
            rows["spend_usd_bn"],
            width,
            color=FORECAST if forecast else ACTUAL,
            hatch="//" if forecast else None,
            edgecolor="white",
            label=f"{period}{'F 预测' if forecast else ''}",
        )
        _label_bars(
            ax,
            bars,
            [
                f"{v:,.0f}\n{_pct(g)}"
                for v, g in zip(rows["spend_usd_bn"], rows["growth_pct"], strict=True)
            ],
        )
    ax.set_xticks(x, segments)
    ax.set_ylabel("十亿美元 USD billion")
    ax.set_ylim(0, parts["spend_usd_bn"].max() * 1.2)
    ax.legend(fontsize=8)
    summary = "; ".join(
        f"{r.period}{'F' if r.is_forecast else ''} {r.spend_usd_bn:,.0f} ({_pct(r.growth_pct)})"
        for r in total.itertuples()
    )
    ax.set_title(f"全球IT支出 合计 total: {summary}", fontsize=10)


def draw_public_cloud(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    frame = _frame(
        con,
        """
        SELECT region, segment, segment_zh, period,
               coalesce(market_size_usd_100m, market_size_cny_100m) AS size,
               market_size_usd_100m IS NOT NULL AS in_usd, growth_pct
        FROM marts.public_cloud_market
        WHERE report_id = ? AND segment <> 'total'
          AND coalesce(market_size_usd_100m, market_size_cny_100m) IS NOT NULL
        ORDER BY region DESC, segment""",
        report_id,
    )
    regions = list(dict.fromkeys(frame["region"]))
    axes = fig.subplots(1, len(regions), squeeze=False)[0]
    for ax, region in zip(axes, regions, strict=True):
        rows = frame[frame["region"] == region]
        unit = "亿美元 USD 100 million" if rows["in_usd"].all() else "亿元 CNY 100 million"
        x = np.arange(len(rows))
        bars = ax.bar(x, rows["size"], color=ACTUAL, width=0.55)
        _label_bars(
            ax,
            bars,
            [f"{s:,.1f}\n{_pct(g)}" for s, g in zip(rows["size"], rows["growth_pct"], strict=True)],
        )
        ax.set_xticks(x, rows["segment_zh"])
        ax.set_ylim(0, rows["size"].max() * 1.25)
        ax.set_ylabel(unit)
        name = "全球 global" if region == "global" else "中国 China"
        ax.set_title(
            f"{name} {'/'.join(sorted(rows['period'].unique()))}  (柱上: 规模, 同比增速)",
            fontsize=10,
        )


def draw_intelligent_compute(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    from matplotlib.patches import Patch

    levels = _frame(
        con,
        """
        SELECT CAST(period AS INTEGER) AS year, is_forecast, compute_eflops
        FROM marts.intelligent_compute
        WHERE report_id = ? AND region = 'china' AND compute_eflops IS NOT NULL
          AND regexp_full_match(period, '\\d{4}')
        ORDER BY year""",
        report_id,
    )
    rate = _frame(
        con,
        """
        SELECT CAST(start_period AS INTEGER) AS start_year, start_value, years, cagr_pct,
               stated_cagr_pct
        FROM marts.cagr
        WHERE report_id = ? AND series = 'intelligent_compute/china/compute'
        ORDER BY years DESC, start_year LIMIT 1""",
        report_id,
    ).iloc[0]
    ax = fig.subplots()
    colors = [FORECAST if f else ACTUAL for f in levels["is_forecast"]]
    bars = ax.bar(
        levels["year"], levels["compute_eflops"], color=colors, width=0.6, edgecolor="white"
    )
    for bar, forecast in zip(bars, levels["is_forecast"], strict=True):
        bar.set_hatch("//" if forecast else None)
    _label_bars(ax, bars, [f"{v:,.1f}" for v in levels["compute_eflops"]])
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


def draw_market_share(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    import matplotlib
    from matplotlib.patches import Patch

    frame = _frame(
        con,
        """
        SELECT market, vendor_zh, period, share_pct FROM marts.market_share
        WHERE report_id = ? AND share_pct IS NOT NULL
        ORDER BY market, share_pct DESC, vendor_zh""",
        report_id,
    )
    frame = frame.iloc[::-1].reset_index(drop=True)  # barh draws bottom-up
    ax = fig.subplots()
    markets = list(dict.fromkeys(frame["market"][::-1]))
    tab10 = matplotlib.colormaps["tab10"]
    palette = dict(zip(markets, [tab10(i) for i in range(tab10.N)], strict=False))
    y = np.arange(len(frame))
    bars = ax.barh(y, frame["share_pct"], color=[palette[m] for m in frame["market"]])
    for bar, value in zip(bars, frame["share_pct"], strict=True):
        ax.annotate(
            f"{value:g}%",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, frame["vendor_zh"])
    ax.set_xlabel("市场份额 share (%)")
    ax.set_xlim(0, frame["share_pct"].max() * 1.35)
    ax.legend(
        handles=[
            Patch(
                color=palette[market],
                label=f"{MARKET_LABELS.get(market, market)} "
                + "/".join(frame[frame["market"] == market]["period"].unique()),
            )
            for market in markets
        ],
        fontsize=8,
        loc="center right",
    )
    ax.set_title("云市场份额 market shares (各市场分别统计 each market separately)", fontsize=10)


def draw_carrier_cloud(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    frame = _frame(
        con,
        f"""
        SELECT carrier_zh, period, revenue_cny_100m, growth_pct FROM marts.carrier_cloud
        WHERE report_id = ? AND revenue_cny_100m IS NOT NULL AND carrier <> '{CARRIER_TOTAL}'
        ORDER BY revenue_cny_100m DESC""",
        report_id,
    )
    period = "/".join(frame["period"].unique())
    _bars_with_growth(
        fig,
        frame,
        "carrier_zh",
        "revenue_cny_100m",
        "growth_pct",
        "营收 亿元 revenue (CNY 100 million)",
        f"运营商云业务 {period} 营收与同比增速 carrier cloud revenue and growth",
    )


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


def _long(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    melted = frame.melt(id_vars=["name_zh"], value_vars=list(columns), var_name="measure")
    melted = melted.dropna(subset=["value"])
    return melted.assign(label=melted["name_zh"] + " · " + melted["measure"].map(columns))


def draw_datacenter_projects(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    columns = ", ".join([*DATACENTER_COUNTS, *DATACENTER_COMPUTE])
    frame = _frame(
        con,
        f"SELECT name_zh, {columns} FROM marts.datacenter_projects "
        "WHERE report_id = ? ORDER BY name_zh",
        report_id,
    )
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
        for bar, value in zip(bars, rows["value"], strict=True):
            ax.annotate(
                f"{value:,.0f}",
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(y, rows["label"], fontsize=8)
        ax.set_xlim(0, max(rows["value"].max(), 1) * 1.15)
        ax.set_xlabel(unit)
        ax.set_title(title, fontsize=10)


def draw_gpu_demand(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    frame = con.sql(
        "SELECT scenario, workload, gpus FROM marts.gpu_demand ORDER BY scenario, workload"
    ).df()
    axes = fig.subplots(1, 2)
    for ax, workload, title in (
        (axes[0], TRAINING, "训练 training: 一个月训练完成 (A100)"),
        (axes[1], INFERENCE, "推理 inference: 一天的回答量 (A100)"),
    ):
        rows = frame[frame["workload"] == workload].set_index("scenario")
        order = [BASELINE, *sorted(s for s in rows.index if s != BASELINE)]
        rows = rows.loc[order[::-1]]
        y = np.arange(len(rows))
        colors = [ACCENT if s == BASELINE else MUTED for s in rows.index]
        bars = ax.barh(y, rows["gpus"], color=colors)
        for bar, value in zip(bars, rows["gpus"], strict=True):
            ax.annotate(
                f"{value:,}",
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(y, [f"{s} (报告基准)" if s == BASELINE else s for s in rows.index])
        ax.set_xlim(0, rows["gpus"].max() * 1.25)
        ax.set_xlabel("GPU 数量 GPUs")
        ax.set_title(title, fontsize=10)
    fig.suptitle("ChatGPT 算力需求: 报告基准 vs 情景 baseline vs scenarios", fontsize=11)


def draw_sensitivity(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Rectangle

    frame = con.sql("""
        SELECT accelerator, precision, gpu_throughput_tflops, gpu_utilization_pct,
               training_window_days, gpus_provisioned
        FROM marts.gpu_demand_sensitivity
        ORDER BY gpu_throughput_tflops, gpu_utilization_pct, training_window_days""").df()
    # The report's own setting, to outline its cell.
    tflops0, utilization0, days0 = con.execute(
        """
        SELECT gpu_throughput_tflops, gpu_utilization_pct, training_window_months * days_per_month
        FROM marts.gpu_demand WHERE scenario = ? AND workload = ?""",
        [BASELINE, TRAINING],
    ).fetchall()[0]
    groups = list(frame.groupby(["gpu_throughput_tflops", "accelerator", "precision"], sort=True))
    norm = LogNorm(frame["gpus_provisioned"].min(), frame["gpus_provisioned"].max())
    columns = min(len(groups), 2)
    axes = fig.subplots(-(-len(groups) // columns), columns, squeeze=False).ravel()
    for ax, ((tflops, accelerator, precision), rows) in zip(axes, groups, strict=False):
        grid = rows.pivot(
            index="gpu_utilization_pct", columns="training_window_days", values="gpus_provisioned"
        )
        ax.imshow(grid.values, cmap="viridis_r", norm=norm, aspect="auto")
        for (i, j), value in np.ndenumerate(grid.values):
            ax.text(
                j,
                i,
                f"{value:,}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if norm(value) > 0.55 else "black",
            )
        ax.set_xticks(range(grid.shape[1]), [f"{d:g}天" for d in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [f"{u:g}%" for u in grid.index])
        ax.set_xlabel("训练时长 window", fontsize=8)
        ax.set_ylabel("利用率 utilization", fontsize=8)
        ax.set_title(f"{accelerator} {precision} ({tflops:g} TFLOPS)", fontsize=9)
        if tflops == tflops0 and utilization0 in grid.index and days0 in grid.columns:
            i, j = grid.index.get_loc(utilization0), grid.columns.get_loc(days0)
            ax.add_patch(
                Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=ACCENT, linewidth=2.5)
            )
    for ax in axes[len(groups) :]:
        ax.set_visible(False)
    fig.colorbar(
        ScalarMappable(norm=norm, cmap="viridis_r"),
        ax=axes.tolist(),
        label="GPU 数量 (向上取整) GPUs provisioned",
    )
    fig.suptitle(
        f"训练所需GPU敏感性 training GPUs: 利用率 × 训练时长 × 加速卡 (红框: 报告假设 "
        f"{utilization0:g}%, {days0:g}天, {tflops0:g} TFLOPS)",
        fontsize=11,
    )


CHARTS = (
    ChartSpec(
        "it_spend",
        "全球IT支出 2022 vs 2023F (按细分) Global IT spending by segment",
        ("marts.it_spend",),
        ("it_spend",),
        draw_it_spend,
    ),
    ChartSpec(
        "public_cloud_market",
        "公有云市场规模与增速 (IaaS/PaaS/SaaS) Public cloud market size and growth",
        ("marts.public_cloud_market",),
        ("public_cloud_market",),
        draw_public_cloud,
    ),
    ChartSpec(
        "intelligent_compute",
        "中国智能算力规模与CAGR China intelligent compute (EFLOPS) and CAGR",
        ("marts.intelligent_compute", "marts.cagr"),
        ("intelligent_compute",),
        draw_intelligent_compute,
    ),
    ChartSpec(
        "market_share",
        "云市场份额 Cloud market shares",
        ("marts.market_share",),
        ("market_share",),
        draw_market_share,
    ),
    ChartSpec(
        "carrier_cloud",
        "运营商云营收与增速 Carrier cloud revenue and growth",
        ("marts.carrier_cloud",),
        ("carrier_cloud",),
        draw_carrier_cloud,
    ),
    ChartSpec(
        "datacenter_projects",
        "智算中心项目: 算力与机柜 Data-center projects by compute and racks",
        ("marts.datacenter_projects",),
        ("datacenter_project_figures",),
        draw_datacenter_projects,
    ),
    ChartSpec(
        "gpu_demand",
        "ChatGPT GPU需求: 基准 vs 情景 GPU demand, baseline vs scenarios",
        ("marts.gpu_demand",),
        ("gpu_model",),
        draw_gpu_demand,
        note="Scenarios other than report_baseline come from sources/gpu_scenarios.csv "
        "or a run's config, not from the report.",
    ),
    ChartSpec(
        "gpu_demand_sensitivity",
        "GPU需求敏感性热力图 GPU demand sensitivity grid",
        ("marts.gpu_demand_sensitivity",),
        ("gpu_model",),
        draw_sensitivity,
        note="Accelerator throughputs other than the report's A100 FP32 come from "
        "NVIDIA datasheets (sources/accelerators.csv), not from the report.",
    ),
)
CHART_READS = tuple(sorted({relation for spec in CHARTS for relation in spec.reads}))
CHART_FIGURE_TABLES = tuple(sorted({table for spec in CHARTS for table in spec.figure_tables}))


def render(spec: ChartSpec, con: duckdb.DuckDBPyConnection, report_id: str) -> bytes:
    """The chart as PNG bytes; raises if a label has a glyph no installed font has."""
    import matplotlib
    from matplotlib.figure import Figure

    family = cjk_font()
    with matplotlib.rc_context(
        {
            "font.family": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "axes.spines.top": False,
            # Labels come from the data: a `$` in one is text, not a mathtext formula.
            "text.parse_math": False,
        }
    ):
        fig = Figure(figsize=(10, 5.6), dpi=DPI, layout="constrained")
        spec.draw(con, report_id, fig)
        buffer = io.BytesIO()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(buffer, format="png")
    missing = sorted({str(w.message) for w in caught if "missing from font" in str(w.message)})
    if missing:
        raise RuntimeError(f"chart {spec.name}: {'; '.join(missing)}")
    return buffer.getvalue()


@dataclass(frozen=True)
class WrittenChart:
    spec: ChartSpec
    path: Path


def write_charts(
    con: duckdb.DuckDBPyConnection, report_id: str, folder: Path
) -> list[WrittenChart]:
    """Render every chart and write it to `folder` (each file replaced atomically)."""
    written = []
    for spec in CHARTS:
        path = folder / spec.file_name
        write_file_atomically(path, render(spec, con, report_id))
        written.append(WrittenChart(spec, path))
    return written
