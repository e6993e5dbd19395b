"""Every chart: what it shows, the marts it reads and the figure tables it cites (the report
page and the data site print these beside the chart)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from warehouse.reporting.charts.compute import draw_datacenter_projects, draw_intelligent_compute
from warehouse.reporting.charts.gpu import draw_gpu_demand, draw_sensitivity
from warehouse.reporting.charts.markets import (
    draw_carrier_cloud,
    draw_it_spend,
    draw_market_share,
    draw_public_cloud,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
        ("marts.gpu_demand_sensitivity", "marts.gpu_demand"),
        ("gpu_model",),
        draw_sensitivity,
        note="Accelerator throughputs other than the report's A100 FP32 come from "
        "NVIDIA datasheets (sources/accelerators.csv), not from the report.",
    ),
)
CHART_READS = tuple(sorted({relation for spec in CHARTS for relation in spec.reads}))
CHART_FIGURE_TABLES = tuple(sorted({table for spec in CHARTS for table in spec.figure_tables}))
