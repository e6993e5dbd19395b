"""The report's GPU demand computation (section 1.6), reproducible and open to other assumptions.

Training: GPU-hours = compute ÷ (per-GPU throughput × utilization) ÷ 3600 s/h;
GPUs = GPU-hours ÷ hours in the training window; servers = GPUs ÷ GPUs per server.
Inference: GPU-hours per day = answers/day × words/answer × time/word; GPUs = that ÷ 24 h;
servers = GPUs ÷ GPUs per server.

Parameters use the metric ids and units of the `gpu_model` source table, so a scenario is
just a list of (parameter, value) overrides of the report's baseline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from warehouse.figures import rows_of

TRAINING, INFERENCE = "training", "inference"
BASELINE = "report_baseline"
SECONDS_PER_HOUR, HOURS_PER_DAY = 3600, 24

# parameter -> unit it is expressed in (the unit the source table states it in)
PARAMETERS = {
    TRAINING: {
        "training_compute": "TFLOP",
        "gpu_throughput": "TFLOPS",
        "gpu_utilization": "percent",
        "training_window": "months",
        "days_per_month": "days",
        "gpus_per_server": "count",
    },
    INFERENCE: {
        "monthly_active_users": "100 million",
        "questions_per_user_per_day": "count",
        "words_per_answer": "count",
        "time_per_word": "ms",
        "gpus_per_server": "count",
    },
}
# parameter -> the column marts.gpu_demand shows it in: named with its unit, as the gpu_model
# topic mart names the same figures
ASSUMPTION_COLUMNS = {
    "training_compute": "training_compute_tflop",
    "gpu_throughput": "gpu_throughput_tflops",
    "gpu_utilization": "gpu_utilization_pct",
    "training_window": "training_window_months",
    "days_per_month": "days_per_month",
    "monthly_active_users": "monthly_active_users_100_mn",
    "questions_per_user_per_day": "questions_per_user_per_day",
    "words_per_answer": "words_per_answer",
    "time_per_word": "time_per_word_ms",
    "gpus_per_server": "gpus_per_server",
}
OUTPUTS = ("gpu_hours", "gpus", "servers")


def round_half_up(value: float) -> int:
    """The report's rounding: 7595.5 servers are printed as 7596."""
    return math.floor(value + 0.5)


@dataclass(frozen=True)
class Demand:
    """One workload under one set of assumptions: exact values and the printed ones."""

    gpu_hours_exact: float
    gpus_exact: float
    servers_exact: float
    gpu_hours: int
    gpus: int
    servers: int
    gpus_provisioned: int
    servers_provisioned: int
    hours_basis: str


def _finish(hours_exact: float, hours_per_gpu: float, per_server: float, basis: str) -> Demand:
    """Exact chain, and the report's chain in which each step starts from the printed
    (rounded) result of the one before; provisioned counts round up (you cannot buy 0.4 GPU)."""
    gpus_exact = hours_exact / hours_per_gpu
    hours = round_half_up(hours_exact)
    gpus = round_half_up(hours / hours_per_gpu)
    provisioned = math.ceil(round(gpus_exact, 9))
    return Demand(
        gpu_hours_exact=hours_exact,
        gpus_exact=gpus_exact,
        servers_exact=gpus_exact / per_server,
        gpu_hours=hours,
        gpus=gpus,
        servers=round_half_up(gpus / per_server),
        gpus_provisioned=provisioned,
        servers_provisioned=math.ceil(round(provisioned / per_server, 9)),
        hours_basis=basis,
    )


def training_demand(p: Mapping[str, float]) -> Demand:
    effective_tflops = p["gpu_throughput"] * p["gpu_utilization"] / 100
    hours_exact = p["training_compute"] / effective_tflops / SECONDS_PER_HOUR
    window_hours = p["training_window"] * p["days_per_month"] * HOURS_PER_DAY
    return _finish(hours_exact, window_hours, p["gpus_per_server"], "total")


def answers_per_day(p: Mapping[str, float]) -> float:
    return p["monthly_active_users"] * 1e8 * p["questions_per_user_per_day"]


def inference_demand(p: Mapping[str, float]) -> Demand:
    seconds = answers_per_day(p) * p["words_per_answer"] * p["time_per_word"] / 1000
    return _finish(seconds / SECONDS_PER_HOUR, HOURS_PER_DAY, p["gpus_per_server"], "per_day")


DEMAND = {TRAINING: training_demand, INFERENCE: inference_demand}


def newest_gpu_figures(figures: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """The `gpu_model` figures of the newest report that states them (latest publication
    date, then report id): the baseline every scenario departs from. Older reports' GPU
    figures stay in the figures mart as earlier vintages."""
    gpu_figures = figures[figures["table_name"] == "gpu_model"]
    published = dict(zip(reports["report_id"], reports["publication_date"], strict=True))
    newest = max(gpu_figures["report_id"].unique(), key=lambda r: (published[r], r))
    return gpu_figures[gpu_figures["report_id"] == newest]


def baseline_parameters(figures: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The report's assumptions from the `gpu_model` figures, checked against PARAMETERS."""
    baseline: dict[str, dict[str, float]] = {}
    for workload, units in PARAMETERS.items():
        rows = figures[figures["entity"] == workload].set_index("metric")
        missing = [name for name in units if name not in rows.index]
        if missing:
            raise ValueError(f"gpu_model: the {workload} assumptions lack {missing}")
        for name, unit in units.items():
            if rows.at[name, "unit"] != unit:
                raise ValueError(
                    f"gpu_model: {workload}.{name} is in {rows.at[name, 'unit']}, "
                    f"the computation expects {unit}"
                )
        values = rows["value"].astype(float)
        baseline[workload] = {name: float(values[name]) for name in units}
    return baseline


def check_units(scenario: str, parameter_units: Iterable[tuple[str, str]]) -> None:
    """A scenario states each override in the unit the computation takes it in."""
    expected = {p: u for units in PARAMETERS.values() for p, u in units.items()}
    for parameter, unit in parameter_units:
        if expected.get(parameter) != unit:
            raise ValueError(
                f"gpu scenario '{scenario}': {parameter} must be stated in "
                f"{expected.get(parameter, 'a known parameter')}, not {unit}"
            )


def scenario_rows(
    name: str,
    origin: str,
    description: str,
    baseline: Mapping[str, Mapping[str, float]],
    overrides: Mapping[str, float],
) -> list[dict[str, Any]]:
    """Both workloads under the baseline with `overrides` applied (unknown names refused)."""
    known = {p for units in PARAMETERS.values() for p in units}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ValueError(
            f"scenario '{name}': unknown parameter(s) {unknown}; known: {sorted(known)}"
        )
    rows = []
    for workload, params in baseline.items():
        applied = {**params, **{k: v for k, v in overrides.items() if k in params}}
        demand = DEMAND[workload](applied)
        rows.append(
            {
                "scenario": name,
                "scenario_origin": origin,
                "description": description,
                "workload": workload,
                **{ASSUMPTION_COLUMNS[k]: applied[k] for k in PARAMETERS[workload]},
                "overridden": sorted(set(overrides) & set(params)),
                **demand.__dict__,
            }
        )
    return rows


def sensitivity(
    baseline: Mapping[str, float],
    accelerators: pd.DataFrame,
    utilizations: list[float],
    window_days: list[float],
) -> pd.DataFrame:
    """GPUs needed for the report's training workload over a grid of utilization × training
    window × accelerator throughput."""
    rows: list[dict[str, Any]] = []
    for acc in rows_of(accelerators, ["accelerator", "precision", "dense_tflops", "source"]):
        for utilization in utilizations:
            for days in window_days:
                params = {
                    **baseline,
                    "gpu_throughput": acc["dense_tflops"],
                    "gpu_utilization": utilization,
                    "training_window": days,
                    "days_per_month": 1,
                }
                demand = training_demand(params)
                rows.append(
                    {
                        "accelerator": acc["accelerator"],
                        "precision": acc["precision"],
                        "gpu_throughput_tflops": acc["dense_tflops"],
                        "throughput_source": acc["source"],
                        "gpu_utilization_pct": utilization,
                        "training_window_days": days,
                        "gpus_exact": demand.gpus_exact,
                        "gpus_provisioned": demand.gpus_provisioned,
                        "servers_provisioned": demand.servers_provisioned,
                    }
                )
    return pd.DataFrame(rows)


def reproduction(demand: pd.DataFrame, gpu_figures: pd.DataFrame) -> pd.DataFrame:
    """The baseline's results beside the ones the report prints (the `gpu_model` figures):
    one row per workload and output, with the printed figure's id and whether they agree."""
    baseline = demand[demand["scenario"] == BASELINE].set_index("workload").to_dict("index")
    printed = gpu_figures[gpu_figures["metric"].isin(OUTPUTS)]
    rows = [
        {
            "workload": figure["entity"],
            "output": figure["metric"],
            "printed": int(figure["value"]),
            "reproduced": int(baseline[figure["entity"]][figure["metric"]]),
            "figure_id": figure["figure_id"],
        }
        for figure in rows_of(printed, ["entity", "metric", "value", "figure_id"])
    ]
    frame = pd.DataFrame(rows, columns=["workload", "output", "printed", "reproduced", "figure_id"])
    return frame.assign(matches=frame["printed"] == frame["reproduced"])
