"""The rows of marts.gpu_demand: the report's baseline, the scenario file's scenarios and a
run's one-off scenario, each row with the ids of what it was computed from.

Plain values in, a frame out: the Dagster asset reads the tables and hands over its run
config's scenario, so the assembly is testable without Dagster.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from warehouse.metrics import gpu_demand

REPORT, SCENARIO_FILE, RUN_CONFIG = "report", "scenario_file", "run_config"  # scenario_origin
SCENARIO_FILE_TABLE = "gpu_scenarios"  # the prefix of a file scenario's override ids


@dataclass(frozen=True)
class Scenario:
    """Overrides of the report's assumptions, by parameter (PARAMETERS of gpu_demand)."""

    name: str
    origin: str
    description: str
    overrides: Mapping[str, float] = field(default_factory=dict[str, float])


def file_scenarios(table: pd.DataFrame) -> list[Scenario]:
    """The scenarios of `raw.gpu_scenarios` (one row per override), by name, units checked."""
    found: list[Scenario] = []
    for name, group in table.groupby("scenario", sort=True):
        gpu_demand.check_units(str(name), zip(group["parameter"], group["unit"], strict=True))
        overrides = dict(zip(group["parameter"], group["value"], strict=True))
        found.append(Scenario(str(name), SCENARIO_FILE, group["description"].iloc[0], overrides))
    return found


def demand_rows(gpu_figures: pd.DataFrame, scenarios: list[Scenario]) -> list[dict[str, Any]]:
    """Both workloads under the baseline of `gpu_figures` (one report's `gpu_model` figures)
    and under each scenario; `input_ids` are the figures a row kept and the overrides it
    applied."""
    baseline = gpu_demand.baseline_parameters(gpu_figures)
    figure_ids = dict(
        zip(
            gpu_figures["entity"] + "." + gpu_figures["metric"],
            gpu_figures["figure_id"],
            strict=True,
        )
    )
    report = Scenario(gpu_demand.BASELINE, REPORT, "The report's assumptions (section 1.6)")
    rows: list[dict[str, Any]] = []
    for scenario in [report, *scenarios]:
        prefix = SCENARIO_FILE_TABLE if scenario.origin == SCENARIO_FILE else scenario.origin
        for row in gpu_demand.scenario_rows(
            scenario.name, scenario.origin, scenario.description, baseline, scenario.overrides
        ):
            kept = [
                figure_ids[f"{row['workload']}.{p}"]
                for p in gpu_demand.PARAMETERS[row["workload"]]
                if p not in row["overridden"]
            ]
            overridden = [f"{prefix}/{scenario.name}/{p}" for p in row["overridden"]]
            rows.append({**row, "input_ids": kept + overridden})
    return rows


def demand_frame(
    gpu_figures: pd.DataFrame,
    scenario_table: pd.DataFrame,
    one_off: Scenario | None,
    previous: pd.DataFrame,
) -> pd.DataFrame:
    """The new marts.gpu_demand. One-off scenarios of earlier runs (`previous`, the table as
    it was) stay until a run brings a one-off scenario of the same name; written before a
    change of columns, they take the current ones."""
    scenarios = file_scenarios(scenario_table) + ([one_off] if one_off else [])
    current = pd.DataFrame(demand_rows(gpu_figures, scenarios))
    if previous.empty:
        kept = previous
    else:
        replaced = one_off.name if one_off else ""
        kept = previous[
            (previous["scenario_origin"] == RUN_CONFIG) & (previous["scenario"] != replaced)
        ]
    return pd.concat([current, kept.reindex(columns=current.columns)], ignore_index=True)
