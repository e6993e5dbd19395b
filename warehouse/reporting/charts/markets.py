"""Charts of the cloud markets: IT spending, public cloud sizes, market shares, carriers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import numpy as np

from warehouse.reporting.charts.queries import frame as query
from warehouse.reporting.charts.style import (
    ACTUAL,
    FORECAST,
    bars_with_growth,
    label_barh,
    label_bars,
    pct,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MARKET_LABELS = {
    "global_iaas": "全球IaaS",
    "china_public_cloud_iaas": "中国公有云IaaS",
    "china_public_cloud_iaas_paas": "中国公有云IaaS+PaaS",
    "china_enterprise_saas": "中国企业级SaaS",
}


def draw_it_spend(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    frame = query(con, "it_spend", [report_id])
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
        label_bars(
            ax,
            bars,
            [
                f"{v:,.0f}\n{pct(g)}"
                for v, g in zip(rows["spend_usd_bn"], rows["growth_pct"], strict=True)
            ],
        )
    ax.set_xticks(x, segments)
    ax.set_ylabel("十亿美元 USD billion")
    ax.set_ylim(0, parts["spend_usd_bn"].max() * 1.2)
    ax.legend(fontsize=8)
    summary = "; ".join(
        f"{r.period}{'F' if r.is_forecast else ''} {r.spend_usd_bn:,.0f} ({pct(r.growth_pct)})"
        for r in total.itertuples()
    )
    ax.set_title(f"全球IT支出 合计 total: {summary}", fontsize=10)


def draw_public_cloud(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    frame = query(con, "public_cloud_market", [report_id])
    regions = list(dict.fromkeys(frame["region"]))
    axes = fig.subplots(1, len(regions), squeeze=False)[0]
    for ax, region in zip(axes, regions, strict=True):
        rows = frame[frame["region"] == region]
        unit = "亿美元 USD 100 million" if rows["in_usd"].all() else "亿元 CNY 100 million"
        x = np.arange(len(rows))
        bars = ax.bar(x, rows["size"], color=ACTUAL, width=0.55)
        label_bars(
            ax,
            bars,
            [f"{s:,.1f}\n{pct(g)}" for s, g in zip(rows["size"], rows["growth_pct"], strict=True)],
        )
        ax.set_xticks(x, rows["segment_zh"])
        ax.set_ylim(0, rows["size"].max() * 1.25)
        ax.set_ylabel(unit)
        name = "全球 global" if region == "global" else "中国 China"
        ax.set_title(
            f"{name} {'/'.join(sorted(rows['period'].unique()))}  (柱上: 规模, 同比增速)",
            fontsize=10,
        )


def draw_market_share(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    import matplotlib
    from matplotlib.patches import Patch

    frame = query(con, "market_share", [report_id])
    frame = frame.iloc[::-1].reset_index(drop=True)  # barh draws bottom-up
    ax = fig.subplots()
    markets = list(dict.fromkeys(frame["market"][::-1]))
    tab10 = matplotlib.colormaps["tab10"]
    palette = dict(zip(markets, [tab10(i) for i in range(tab10.N)], strict=False))
    y = np.arange(len(frame))
    bars = ax.barh(y, frame["share_pct"], color=[palette[m] for m in frame["market"]])
    label_barh(ax, bars, [f"{value:g}%" for value in frame["share_pct"]])
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
    frame = query(con, "carrier_cloud", [report_id])
    period = "/".join(frame["period"].unique())
    bars_with_growth(
        fig,
        frame,
        "carrier_zh",
        "revenue_cny_100m",
        "growth_pct",
        "营收 亿元 revenue (CNY 100 million)",
        f"运营商云业务 {period} 营收与同比增速 carrier cloud revenue and growth",
    )
