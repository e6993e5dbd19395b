"""The rows of marts.gpu_demand assembled without Dagster: which scenarios run, the lineage
ids of each row, and which one-off scenarios of earlier runs stay. Values worked by hand."""

import pandas as pd
import pytest

from warehouse.metrics.gpu_demand import PARAMETERS
from warehouse.metrics.scenarios import (
    RUN_CONFIG,
    SCENARIO_FILE,
    Scenario,
    demand_frame,
    file_scenarios,
)

# each assumption in the unit the model takes it in
UNITS = {p: u for units in PARAMETERS.values() for p, u in units.items()}
# the report's assumptions (section 1.6)
TRAINING = [
    ("training_compute", 3.14e11),
    ("gpu_throughput", 19.5),
    ("gpu_utilization", 40),
    ("training_window", 1),
    ("days_per_month", 30),
    ("gpus_per_server", 8),
]
INFERENCE = [
    ("monthly_active_users", 1),
    ("questions_per_user_per_day", 3),
    ("words_per_answer", 50),
    ("time_per_word", 350),
    ("gpus_per_server", 8),
]


def model() -> pd.DataFrame:
    rows = [
        (f"r/gpu_model/{entity}/{metric}", entity, metric, value, UNITS[metric])
        for entity, assumptions in (("training", TRAINING), ("inference", INFERENCE))
        for metric, value in assumptions
    ]
    return pd.DataFrame(rows, columns=["figure_id", "entity", "metric", "value", "unit"])


def scenario_table(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["scenario", "description", "parameter", "value", "unit"])


H100 = scenario_table(
    [
        ("h100", "an H100", "gpu_throughput", 989.4, "TFLOPS"),
        ("h100", "an H100", "gpu_utilization", 60, "percent"),
    ]
)


def test_file_scenarios_by_name_with_their_overrides():
    table = scenario_table(
        [*H100.itertuples(index=False), ("a", "first", "gpus_per_server", 4, "count")]
    )
    assert file_scenarios(table) == [
        Scenario("a", SCENARIO_FILE, "first", {"gpus_per_server": 4}),
        Scenario(
            "h100", SCENARIO_FILE, "an H100", {"gpu_throughput": 989.4, "gpu_utilization": 60}
        ),
    ]


def test_a_file_scenario_in_the_wrong_unit_is_refused():
    with pytest.raises(ValueError, match="gpu_throughput must be stated in TFLOPS, not PFLOPS"):
        file_scenarios(scenario_table([("x", "", "gpu_throughput", 1, "PFLOPS")]))


def test_baseline_then_file_then_one_off_with_their_lineage():
    """3.14e11 TFLOP ÷ (989.4 × 60 %) TFLOPS ÷ 3,600 s = 146,928 GPU-hours; ÷ 720 h = 204 GPUs
    (docs/findings.md's one-off scenario); the baseline's 15,531 GPUs are the report's."""
    one_off = Scenario("mine", RUN_CONFIG, "launchpad", {"gpus_per_server": 4})
    frame = demand_frame(model(), H100, one_off, pd.DataFrame())
    training = frame[frame["workload"] == "training"].set_index("scenario")
    assert list(training.index) == ["report_baseline", "h100", "mine"]
    assert training.at["report_baseline", "gpus"] == 15_531
    assert (training.at["h100", "gpu_hours"], training.at["h100", "gpus"]) == (146_928, 204)
    assert training.at["h100", "input_ids"] == [
        "r/gpu_model/training/training_compute",
        "r/gpu_model/training/training_window",
        "r/gpu_model/training/days_per_month",
        "r/gpu_model/training/gpus_per_server",
        "gpu_scenarios/h100/gpu_throughput",
        "gpu_scenarios/h100/gpu_utilization",
    ]
    # 15,531 GPUs at 4 per server: 3,882.75 → 3,883 servers
    assert training.at["mine", "servers"] == 3_883
    assert training.at["mine", "input_ids"][-1] == "run_config/mine/gpus_per_server"
    assert training.at["report_baseline", "input_ids"] == [
        f"r/gpu_model/training/{metric}" for metric, _ in TRAINING
    ]


def test_earlier_one_offs_stay_until_one_of_the_same_name_replaces_them():
    first = demand_frame(
        model(), H100, Scenario("old", RUN_CONFIG, "", {"gpu_utilization": 50}), pd.DataFrame()
    )
    second = demand_frame(model(), H100, Scenario("new", RUN_CONFIG, "", {}), first)
    assert sorted(set(second["scenario"])) == ["h100", "new", "old", "report_baseline"]
    assert len(second) == 8  # each scenario once per workload: the file's h100 is not kept twice
    third = demand_frame(
        model(), H100, Scenario("old", RUN_CONFIG, "", {"gpu_utilization": 20}), second
    )
    old = third[(third["scenario"] == "old") & (third["workload"] == "training")]
    # 20 % instead of the report's 40 %: twice its 11,182,336.18 GPU-hours, 22,364,672.36
    assert old["gpu_hours"].tolist() == [22_364_672]
    assert demand_frame(model(), H100, None, third)["scenario"].value_counts()["old"] == 2
