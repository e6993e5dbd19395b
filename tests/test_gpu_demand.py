"""The GPU demand computation as plain functions: the report's rounding (half up, each step from the
printed result of the one before) against the exact chain, scenarios and their refusals.
Expected values are worked by hand in the comments."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from warehouse.metrics.gpu_demand import (
    BASELINE,
    answers_per_day,
    baseline_parameters,
    check_units,
    inference_demand,
    newest_gpu_figures,
    reproduction,
    round_half_up,
    scenario_rows,
    sensitivity,
    training_demand,
)

TRAINING = {
    "training_compute": 3.14e11,
    "gpu_throughput": 19.5,
    "gpu_utilization": 40,
    "training_window": 1,
    "days_per_month": 30,
    "gpus_per_server": 8,
}
INFERENCE = {
    "monthly_active_users": 1,
    "questions_per_user_per_day": 3,
    "words_per_answer": 50,
    "time_per_word": 350,
    "gpus_per_server": 8,
}


@pytest.mark.parametrize(
    ("value", "printed"),
    [(0.5, 1), (1.5, 2), (2.5, 3), (7_595.5, 7_596), (1_941.4, 1_941), (0.49, 0), (-0.5, 0)],
)
def test_round_half_up_on_ties(value, printed):
    assert round_half_up(value) == printed


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_every_tie_rounds_up(n):
    assert round_half_up(n + 0.5) == n + 1
    assert round_half_up(n) == n
    assert round_half_up(n + 0.499) == n


def test_the_report_baseline_printed_and_exact():
    training = training_demand(TRAINING)
    # 3.14e11 TFLOP ÷ (19.5 × 40 %) TFLOPS ÷ 3600 s = 11,182,336.2 GPU-hours; ÷ 720 h
    assert (training.gpu_hours, training.gpus, training.servers) == (11_182_336, 15_531, 1_941)
    assert training.gpu_hours_exact == pytest.approx(11_182_336.18, abs=0.01)
    assert training.gpus_exact == pytest.approx(15_531.022, abs=0.001)
    assert training.servers_exact == pytest.approx(1_941.378, abs=0.001)
    assert (training.gpus_provisioned, training.servers_provisioned) == (15_532, 1_942)
    assert training.hours_basis == "total"
    assert answers_per_day(INFERENCE) == 300_000_000  # 1亿 users × 3 questions a day
    inference = inference_demand(INFERENCE)
    # 1亿 × 3 × 50 words × 0.35 s ÷ 3600 = 1,458,333.3 GPU-hours a day; ÷ 24 h
    assert (inference.gpu_hours, inference.gpus, inference.servers) == (1_458_333, 60_764, 7_596)
    assert inference.gpus_exact == pytest.approx(60_763.89, abs=0.01)
    # the exact chain gives 7,595.49 servers: 7,595 rounded, 7,596 bought
    assert inference.servers_exact == pytest.approx(7_595.486, abs=0.001)
    assert (inference.gpus_provisioned, inference.servers_provisioned) == (60_764, 7_596)
    assert inference.hours_basis == "per_day"


def test_gpus_come_from_the_printed_gpu_hours_not_the_exact_ones():
    # 41,760 TFLOP at 1 TFLOPS, 100 %: 11.6 GPU-hours, printed 12; over one 24-hour day
    # the report's chain gives 12 ÷ 24 = 0.5 → 1 GPU, the exact chain 0.483 → 0
    demand = training_demand(
        {
            "training_compute": 41_760,
            "gpu_throughput": 1,
            "gpu_utilization": 100,
            "training_window": 1,
            "days_per_month": 1,
            "gpus_per_server": 2,
        }
    )
    assert demand.gpu_hours == 12
    assert demand.gpus_exact == pytest.approx(0.4833, abs=1e-4)
    assert demand.gpus == 1
    assert demand.servers == 1  # 1 GPU ÷ 2 = 0.5 → 1, from the printed GPUs
    assert demand.servers_exact == pytest.approx(0.2417, abs=1e-4)
    assert (demand.gpus_provisioned, demand.servers_provisioned) == (1, 1)


def test_servers_come_from_the_printed_gpus():
    # 1亿 × 1 question × 1 word × 1.3824 ms = 138,240 s = 38.4 GPU-hours a day, printed 38;
    # 38 ÷ 24 = 1.58 → 2 GPUs (exact 1.6); 2 ÷ 4 per server = 0.5 → 1 server, where the
    # exact chain's 0.4 would round to 0
    demand = inference_demand(
        {
            "monthly_active_users": 1,
            "questions_per_user_per_day": 1,
            "words_per_answer": 1,
            "time_per_word": 1.3824,
            "gpus_per_server": 4,
        }
    )
    assert (demand.gpu_hours, demand.gpus, demand.servers) == (38, 2, 1)
    assert demand.gpus_exact == pytest.approx(1.6)
    assert demand.servers_exact == pytest.approx(0.4)
    assert (demand.gpus_provisioned, demand.servers_provisioned) == (2, 1)


def test_provisioning_rounds_up_but_not_float_noise():
    one_day = {"gpu_throughput": 1, "gpu_utilization": 100, "days_per_month": 1}
    # 48 × 3600 TFLOP at 1 TFLOPS = 48 GPU-hours over one 24-hour day: exactly 2 GPUs,
    # 2 ÷ 8 = 0.25 → 1 server bought
    exact = training_demand({**TRAINING, **one_day, "training_compute": 48 * 3600})
    assert (exact.gpus_exact, exact.gpus_provisioned, exact.servers_provisioned) == (2, 2, 1)
    # 25,920 TFLOP = 7.2 GPU-hours over 0.3 days (7.2 h) = 1 GPU, which floats compute as
    # 1.0000000000000002: still 1 GPU to buy, not 2
    noisy = training_demand(
        {**TRAINING, **one_day, "training_compute": 25_920, "training_window": 0.3}
    )
    assert noisy.gpus_exact > 1
    assert noisy.gpus_provisioned == 1
    # just above a whole GPU is one more GPU: 7.21 GPU-hours over 7.2 h
    above = training_demand(
        {**TRAINING, **one_day, "training_compute": 7.21 * 3600, "training_window": 0.3}
    )
    assert above.gpus_provisioned == 2


def figures(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["entity", "metric", "value", "unit"])


def gpu_figures() -> pd.DataFrame:
    units = {
        "training_compute": "TFLOP",
        "gpu_throughput": "TFLOPS",
        "gpu_utilization": "percent",
        "training_window": "months",
        "days_per_month": "days",
        "gpus_per_server": "count",
        "monthly_active_users": "100 million",
        "questions_per_user_per_day": "count",
        "words_per_answer": "count",
        "time_per_word": "ms",
    }
    rows = [("training", k, v, units[k]) for k, v in TRAINING.items()]
    rows += [("inference", k, v, units[k]) for k, v in INFERENCE.items()]
    return figures(rows)


def test_baseline_parameters_read_the_gpu_figures():
    assert baseline_parameters(gpu_figures()) == {"training": TRAINING, "inference": INFERENCE}


def test_baseline_parameters_refuse_a_missing_assumption_or_a_wrong_unit():
    frame = gpu_figures()
    missing = frame[frame["metric"] != "time_per_word"]
    with pytest.raises(ValueError, match=r"inference assumptions lack \['time_per_word'\]"):
        baseline_parameters(missing)
    wrong = frame.copy()
    wrong.loc[wrong["metric"] == "gpu_throughput", "unit"] = "PFLOPS"
    with pytest.raises(
        ValueError, match=r"training\.gpu_throughput is in PFLOPS, the computation expects"
    ):
        baseline_parameters(wrong)


def test_newest_gpu_figures_are_the_latest_publication():
    frame = pd.DataFrame(
        {
            "table_name": ["gpu_model", "gpu_model", "gpu_model", "it_spend"],
            "report_id": ["old", "new", "b_same_day", "newest_other"],
            "metric": ["x", "x", "x", "x"],
        }
    )
    reports = pd.DataFrame(
        {
            "report_id": ["old", "new", "b_same_day", "newest_other"],
            "publication_date": ["2023-01-01", "2024-01-01", "2024-01-01", "2025-01-01"],
        }
    )
    # same date: the report id decides ("new" > "b_same_day"); other tables do not count
    assert newest_gpu_figures(frame, reports)["report_id"].tolist() == ["new"]


def test_scenarios_override_only_their_parameters():
    baseline = {"training": TRAINING, "inference": INFERENCE}
    rows = scenario_rows("util_50", "data", "50 %", baseline, {"gpu_utilization": 50})
    by_workload = {row["workload"]: row for row in rows}
    # 3.14e11 ÷ (19.5 × 0.5) ÷ 3600 = 8,945,868.9 h ÷ 720 h = 12,424.8 → 12,425 GPUs
    assert by_workload["training"]["gpus"] == 12_425
    assert by_workload["training"]["overridden"] == ["gpu_utilization"]
    assert by_workload["training"]["gpu_utilization_pct"] == 50
    assert by_workload["inference"]["gpus"] == 60_764
    assert by_workload["inference"]["overridden"] == []
    assert {row["scenario"] for row in rows} == {"util_50"}
    assert {row["scenario_origin"] for row in rows} == {"data"}
    assert {row["description"] for row in rows} == {"50 %"}
    shared = scenario_rows("both", "data", "", baseline, {"gpus_per_server": 4})
    assert [row["overridden"] for row in shared] == [["gpus_per_server"], ["gpus_per_server"]]


def test_unknown_parameters_and_units_are_refused():
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['gpu_speed'\]"):
        scenario_rows("x", "data", "", {"training": TRAINING}, {"gpu_speed": 1})
    check_units("fine", [("gpu_throughput", "TFLOPS"), ("time_per_word", "ms")])
    with pytest.raises(ValueError, match="gpu_throughput must be stated in TFLOPS, not PFLOPS"):
        check_units("bad", [("gpu_throughput", "PFLOPS")])
    with pytest.raises(ValueError, match="must be stated in a known parameter, not count"):
        check_units("bad", [("gpu_speed", "count")])


def test_sensitivity_grid_by_hand():
    accelerators = pd.DataFrame(
        {
            "accelerator": ["A100 SXM", "H100 SXM"],
            "precision": ["FP32", "BF16"],
            "dense_tflops": [19.5, 989.4],
            "source": ["datasheet a", "datasheet h"],
        }
    )
    grid = sensitivity(TRAINING, accelerators, [40, 50], [30]).set_index(
        ["accelerator", "gpu_utilization_pct"]
    )
    assert len(grid) == 4
    assert grid.at[("A100 SXM", 40), "gpus_provisioned"] == 15_532
    # 3.14e11 ÷ (989.4 × 0.5) ÷ 3600 ÷ 720 = 244.9 → 245 H100s
    assert grid.at[("H100 SXM", 50), "gpus_provisioned"] == 245
    assert grid.at[("H100 SXM", 50), "servers_provisioned"] == 31  # 245 ÷ 8 = 30.6
    assert grid.at[("H100 SXM", 50), "throughput_source"] == "datasheet h"
    assert grid.at[("H100 SXM", 50), "precision"] == "BF16"
    assert grid.at[("H100 SXM", 50), "gpu_throughput_tflops"] == 989.4
    assert grid.at[("H100 SXM", 50), "training_window_days"] == 30
    assert grid.at[("A100 SXM", 50), "gpus_exact"] == pytest.approx(12_424.8, abs=0.1)


def test_reproduction_puts_printed_beside_reproduced():
    demand = pd.DataFrame(
        {
            "scenario": [BASELINE, BASELINE, "other"],
            "workload": ["training", "inference", "training"],
            "gpus": [15_531, 60_764, 1],
            "servers": [1_941, 7_595, 1],
        }
    )
    printed = pd.DataFrame(
        {
            "entity": ["training", "inference", "inference", "training"],
            "metric": ["gpus", "gpus", "servers", "gpu_throughput"],
            "value": [15_531.0, 60_764.0, 7_596.0, 19.5],
            "figure_id": ["f1", "f2", "f3", "f4"],
        }
    )
    frame = reproduction(demand, printed)
    assert frame.to_dict("records") == [
        {
            "workload": "training",
            "output": "gpus",
            "printed": 15_531,
            "reproduced": 15_531,
            "figure_id": "f1",
            "matches": True,
        },
        {
            "workload": "inference",
            "output": "gpus",
            "printed": 60_764,
            "reproduced": 60_764,
            "figure_id": "f2",
            "matches": True,
        },
        {
            "workload": "inference",
            "output": "servers",
            "printed": 7_596,
            "reproduced": 7_595,
            "figure_id": "f3",
            "matches": False,
        },
    ]


def test_reproduction_without_printed_outputs_is_empty_with_its_columns():
    demand = pd.DataFrame({"scenario": [BASELINE], "workload": ["training"], "gpus": [1]})
    assumptions_only = pd.DataFrame(
        {"entity": ["training"], "metric": ["gpu_throughput"], "value": [19.5], "figure_id": ["f"]}
    )
    frame = reproduction(demand, assumptions_only)
    assert frame.empty
    assert list(frame.columns) == [
        "workload", "output", "printed", "reproduced", "figure_id", "matches",
    ]  # fmt: skip
