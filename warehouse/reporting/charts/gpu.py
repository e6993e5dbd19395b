"""Charts of the GPU demand computation (section 1.6): GPUs per scenario, and the grid of
utilization × training window × accelerator."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import numpy as np

from warehouse.metrics.gpu_demand import BASELINE, INFERENCE, TRAINING
from warehouse.reporting.charts.queries import frame as query
from warehouse.reporting.charts.queries import sql
from warehouse.reporting.charts.style import ACCENT, MUTED, label_barh

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def draw_gpu_demand(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    frame = query(con, "gpu_demand")
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
        label_barh(ax, bars, [f"{value:,}" for value in rows["gpus"]])
        ax.set_yticks(y, [f"{s} (报告基准)" if s == BASELINE else s for s in rows.index])
        ax.set_xlim(0, rows["gpus"].max() * 1.25)
        ax.set_xlabel("GPU 数量 GPUs")
        ax.set_title(title, fontsize=10)
    fig.suptitle("ChatGPT 算力需求: 报告基准 vs 情景 baseline vs scenarios", fontsize=11)


def draw_sensitivity(con: duckdb.DuckDBPyConnection, report_id: str, fig: Figure) -> None:
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Rectangle

    frame = query(con, "gpu_demand_sensitivity")
    # The report's own setting, to outline its cell.
    tflops0, utilization0, days0 = con.execute(
        sql("gpu_demand_baseline"), [BASELINE, TRAINING]
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
            i, j = grid.index.tolist().index(utilization0), grid.columns.tolist().index(days0)
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
