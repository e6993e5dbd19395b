"""The report's computed conclusions, reproduced (section 1.6, 1.7) and audited."""

import duckdb
import pandas as pd
import pytest
from runs import materialize
from source_edits import edit_cell, edit_document

from warehouse.metrics.gpu_demand import BASELINE, inference_demand, training_demand


def gpu_demand(db, scenario: str, workload: str) -> pd.Series:
    rows = db.execute(
        "SELECT * FROM marts.gpu_demand WHERE scenario = ? AND workload = ?", [scenario, workload]
    ).df()
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_training_baseline_reproduces_the_report(db):
    training = gpu_demand(db, BASELINE, "training")
    assert training.gpu_hours == 11_182_336
    assert training.gpus == 15_531
    assert training.servers == 1_941
    assert training.gpus_provisioned == 15_532  # 15,531.02 GPUs: you buy 15,532
    assert training.servers_provisioned == 1_942
    # 3.14e11 TFLOP ÷ 7.8 TFLOPS ÷ 3600 s = 11,182,336.18 GPU-hours, 15,531.02 GPUs
    assert training.gpu_hours_exact == pytest.approx(11_182_336.18, abs=0.01)
    assert training.gpus_exact == pytest.approx(15_531.02, abs=0.01)


def test_inference_baseline_reproduces_the_report(db):
    inference = gpu_demand(db, BASELINE, "inference")
    assert inference.gpu_hours == 1_458_333  # per day
    assert inference.hours_basis == "per_day"
    assert inference.gpus == 60_764
    assert inference.servers == 7_596  # 60,764 / 8 = 7,595.5, printed 7,596
    assert inference.gpus_provisioned == 60_764
    assert inference.servers_provisioned == 7_596


def test_utilization_50_percent_by_hand(db):
    # 3.14e11 TFLOP / (19.5 TFLOPS × 50 %) = 3.2205e10 s = 8,945,868.9 GPU-hours;
    # over 30 days × 24 h = 720 h: 12,424.8 GPUs, so 12,425 GPUs and 1,554 servers (1,553.1)
    util_50 = gpu_demand(db, "util_50", "training")
    assert util_50.gpu_hours == 8_945_869
    assert util_50.gpus == 12_425
    assert util_50.servers == 1_553
    assert util_50.servers_provisioned == 1_554
    assert list(util_50.overridden) == ["gpu_utilization"]


def test_every_scenario_keeps_the_baseline_beside_it(db):
    scenarios = {
        s for (s,) in db.execute("SELECT DISTINCT scenario FROM marts.gpu_demand").fetchall()
    }
    assert scenarios == {BASELINE, "util_50", "window_15_days", "h100_bf16", "users_200m"}
    # 2亿 users: 2,916,666.7 GPU-hours a day ÷ 24 = 121,527.8 → 121,528
    assert gpu_demand(db, "users_200m", "inference").gpus == 121_528
    assert gpu_demand(db, "users_200m", "training").gpus == 15_531
    # 3.14e11 ÷ (989.4 × 40 %) ÷ 3600 ÷ 720 = 306.1 H100s: 306 as the report rounds, 307 bought
    h100 = gpu_demand(db, "h100_bf16", "training")
    assert (h100.gpus, h100.gpus_provisioned) == (306, 307)
    # half the window: 11,182,336 ÷ 360 h = 31,062.04 → 31,062, 31,063 bought
    window = gpu_demand(db, "window_15_days", "training")
    assert (window.gpus, window.gpus_provisioned) == (31_062, 31_063)
    # a training scenario leaves inference as the report has it
    assert gpu_demand(db, "window_15_days", "inference").gpus == 60_764


def test_gpu_demand_as_plain_functions():
    training = training_demand(
        {
            "training_compute": 3.14e11,
            "gpu_throughput": 19.5,
            "gpu_utilization": 40,
            "training_window": 1,
            "days_per_month": 30,
            "gpus_per_server": 8,
        }
    )
    assert (training.gpu_hours, training.gpus, training.servers) == (11_182_336, 15_531, 1_941)
    inference = inference_demand(
        {
            "monthly_active_users": 1,
            "questions_per_user_per_day": 3,
            "words_per_answer": 50,
            "time_per_word": 350,
            "gpus_per_server": 8,
        }
    )
    assert (inference.gpu_hours, inference.gpus, inference.servers) == (1_458_333, 60_764, 7_596)


def test_sensitivity_grid_has_modern_accelerators_with_sources(db):
    grid = db.execute("SELECT * FROM marts.gpu_demand_sensitivity").df()
    assert len(grid) == 4 * 4 * 4  # accelerators × utilizations × windows
    assert grid["throughput_source"].str.len().min() > 10
    report = grid[
        (grid.accelerator == "A100 SXM")
        & (grid.precision == "FP32")
        & (grid.gpu_utilization_pct == 40)
        & (grid.training_window_days == 30)
    ]
    assert report.gpus_provisioned.item() == 15_532
    h100 = grid[
        (grid.accelerator == "H100 SXM")
        & (grid.gpu_utilization_pct == 50)
        & (grid.training_window_days == 30)
    ]
    # 3.14e11 ÷ (989.4 × 50 %) ÷ 3600 ÷ 720 = 244.9 → 245 H100s
    assert h100.gpus_provisioned.item() == 245
    at_50_percent = grid[(grid.gpu_utilization_pct == 50) & (grid.training_window_days == 30)]
    assert dict(
        zip(
            at_50_percent.accelerator + " " + at_50_percent.precision,
            at_50_percent.gpus_provisioned,
            strict=True,
        )
    ) == {
        "A100 SXM FP32": 12_425,  # 12,424.8
        "A100 SXM BF16 tensor": 777,  # 776.6
        "H100 SXM BF16 tensor": 245,  # 244.9
        "B200 BF16 tensor": 108,  # 107.7
    }


def test_intelligent_compute_cagr_is_52_3_percent(db):
    cagr, stated = db.execute(
        "SELECT cagr_pct, stated_cagr_pct FROM marts.cagr WHERE series = "
        "'intelligent_compute/china/compute' AND start_period = '2021' AND end_period = '2026'"
    ).fetchall()[0]
    assert cagr == 52.29  # (1271.4 / 155.2)^(1/5) - 1 = 52.2924 %, kept to 2 decimals
    assert stated == 52.3


def test_cagr_for_spans_the_report_states_only_partly(db):
    # China cloud software spend: 270亿美元 (2021) → 850亿美元 (2026), no CAGR printed
    cloud_software = db.execute(
        "SELECT cagr_pct, stated_cagr_pct FROM marts.cagr WHERE series = "
        "'saas_market/china_cloud_software/spend' AND start_period = '2021'"
    ).fetchall()
    assert cloud_software == [(25.78, None)]  # (850 / 270)^(1/5) - 1
    # China enterprise SaaS: 38 % CAGR 2017–2021 and 370.4亿元 in 2021 imply 2017's size
    implied = db.execute(
        "SELECT implied_start_value FROM marts.cagr WHERE series = "
        "'saas_market/china_enterprise_saas/market_size' AND start_period = '2017'"
    ).fetchall()[0][0]
    assert implied == 102.13  # 370.4 / 1.38^4 = 102.1303


def findings(db) -> dict[str, str]:
    return dict(db.execute("SELECT check_id, status FROM marts.report_consistency").fetchall())


# Every mismatch of the audit (docs/findings.md): stated, recomputed as printed
MISMATCHES = {
    "formula:swsc_cloud_2023/hyperscaler_financials/amazon/aws/operating_margin/2022": (
        28.7,
        28.5,  # 228 ÷ 801
    ),
    "change:swsc_cloud_2023/hyperscaler_financials/microsoft/microsoft_intelligent_cloud/"
    "operating_margin_change/FY2023Q2": (-2.4, -2.1),  # 41.4 − 43.5
    "cross_check:microsoft_cloud_growth_vs_parts:swsc_cloud_2023": (26.5, 26.9),
    "cross_check:china_paas_share_vs_iaas_share:swsc_cloud_2023": (15.04, 9.1),
    # 1200 / 300 亿亿次/秒 in FLOPS, printed "12 FLOPS" / "3 FLOPS"
    "formula:swsc_cloud_2023/compute_centers/alibaba_zhangbei/ai_compute_as_printed/2022": (
        12,
        1.2e19,
    ),
    "formula:swsc_cloud_2023/compute_centers/alibaba_ulanqab/ai_compute_as_printed/2022": (
        3,
        3e18,
    ),
    "growth_over_span:swsc_cloud_2023/low_code/hpapaas/growth/2016/2019": (300, 278.6),  # 28 → 106
    # 370.4亿元 in 2021 against (292 + 246.5) × 1.329 = 715.7亿元, in CNY
    "cross_check:china_enterprise_saas_2021_vs_2020_parts:swsc_cloud_2023": (3.704e10, 7.16e10),
    # 连续三年收入实现翻倍 is growth of at least 100 %; 2021's is 91.5 %
    "cross_check:carriers_doubling_vs_growth:swsc_cloud_2023": (91.5, 100),
    # 1941 servers × 8 = 15528 GPUs < 15531
    "cross_check:training_servers_hold_the_gpus:swsc_cloud_2023": (1941, 1941.4),
    # ChatGPT 千亿级 (about 1000亿) against GPT-3.5's 13亿 and the GPU model's 1750亿
    "cross_check:chatgpt_parameters_vs_gpt_3_5:swsc_cloud_2023": (1e11, 1.3e9),
    "cross_check:chatgpt_parameters_vs_gpu_model:swsc_cloud_2023": (1e11, 1.75e11),
}
# Every reading of the audit (docs/findings.md): words that contradict each other
READINGS = {
    "reading:chatgpt_release_date:swsc_cloud_2023",
    "reading:inference_monthly_users_as_daily:swsc_cloud_2023",
    "reading:feitian_under_a_baidu_heading:swsc_cloud_2023",
}


def test_audit_lists_exactly_the_reports_own_slips(db):
    mismatched = {
        check_id: (stated, float(f"{recomputed:.3g}") if recomputed > 1e6 else round(recomputed, 1))
        for check_id, stated, recomputed in db.execute(
            "SELECT check_id, stated, recomputed FROM marts.report_consistency "
            "WHERE status = 'mismatch' AND relation <> 'reading'"
        ).fetchall()
    }
    assert mismatched == MISMATCHES


def test_readings_are_mismatches_with_their_quotes_in_the_report(db):
    rows = db.execute(
        "SELECT check_id, status, stated, quotes FROM marts.report_consistency "
        "WHERE relation = 'reading'"
    ).fetchall()
    assert {r[0] for r in rows} == READINGS
    assert {(r[1], r[2]) for r in rows} == {("mismatch", None)}
    quotes = {r[0].split(":")[1]: r[3] for r in rows}
    # the two dates, section 1.4's text (line 534) and the GPT table of section 1.6 (line 764)
    assert quotes["chatgpt_release_date"] == [
        "2023年初，美国OpenAI团队发布聊天机器人软件ChatGPT",
        "ChatGPT 2022年11月 千亿级",
    ]
    lines = {
        quote: db.execute(
            "SELECT min(line) FROM raw.report_lines WHERE strpos(text, ?) > 0", [quote[:12]]
        ).fetchall()[0][0]
        for quote in quotes["chatgpt_release_date"]
    }
    assert list(lines.values()) == [534, 764]


def test_the_relations_that_hold(db):
    rows = dict(
        db.execute(
            "SELECT check_id, round(recomputed, 1) FROM marts.report_consistency "
            "WHERE status = 'ok' AND check_id IN (?, ?, ?)",
            [
                "cross_check:carriers_growth_gap_vs_china_public_cloud:swsc_cloud_2023",
                "cross_check:china_iaas_share_vs_levels:swsc_cloud_2023",
                "cross_check:inference_servers_hold_the_gpus:swsc_cloud_2023",
            ],
        ).fetchall()
    )
    assert rows == {
        # 2181.1亿元 in 2021 against 895.1 + 102.8 + 278.7 = 1276.6 in 2020: +70.9 %, and
        # 91.5 − 70.9 = 20.6 against the printed 21 pp
        "cross_check:carriers_growth_gap_vs_china_public_cloud:swsc_cloud_2023": 20.6,
        # 1614.7 / 2181.1 = 74.0 %, 将近75%
        "cross_check:china_iaas_share_vs_levels:swsc_cloud_2023": 74.0,
        # 60764 / 8 = 7595.5: 7596 servers hold them
        "cross_check:inference_servers_hold_the_gpus:swsc_cloud_2023": 7595.5,
    }


def test_every_consistency_row_carries_its_quotes(db):
    empty = db.execute(
        "SELECT check_id FROM marts.report_consistency WHERE len(quotes) = 0"
    ).fetchall()
    assert empty == []


def test_everything_else_holds(db):
    statuses = findings(db)
    assert {c for c, status in statuses.items() if status == "ok"} == set(statuses) - set(
        MISMATCHES
    ) - READINGS
    for check_id in (
        "cross_check:gpt3_compute_vs_paper:swsc_cloud_2023",
        "cross_check:gpt3_compute_vs_6nd:swsc_cloud_2023",
        "cagr:swsc_cloud_2023/intelligent_compute/china/cagr/2021/2026",
        # 7.3 % printed, 397 ÷ 约368 = 7.9 %: only 约's ±1 % lets it pass
        "growth_matches_levels:swsc_cloud_2023/hpc_market/global_hpc/growth/2022",
        "sum_to_total:swsc_cloud_2023/public_cloud_market/global/total/market_size/2021",
    ):
        assert statuses[check_id] == "ok", check_id
    # the IT-spend segments miss the printed totals by +1 (2022) and −2 (2023) USD million
    misses = dict(
        db.execute(
            "SELECT check_id, recomputed - stated FROM marts.report_consistency "
            "WHERE check_id LIKE 'sum_to_total:swsc_cloud_2023/it_spend/%'"
        ).fetchall()
    )
    assert misses == {
        "sum_to_total:swsc_cloud_2023/it_spend/total/spend/2022": 1,
        "sum_to_total:swsc_cloud_2023/it_spend/total/spend/2023": -2,
    }


def test_audit_confirms_what_adds_up(db):
    ok = db.execute(
        "SELECT relation, count(*) FROM marts.report_consistency WHERE status = 'ok' "
        "GROUP BY relation"
    ).fetchall()
    assert dict(ok)["sum_to_total"] == 4  # IT spend 2022 and 2023, global cloud, Microsoft
    gpu_steps = db.execute(
        "SELECT count(*) FROM marts.report_consistency WHERE table_name = 'gpu_model' "
        "AND relation = 'formula' AND status = 'ok'"
    ).fetchall()[0][0]
    assert gpu_steps == 7  # every step of the training and inference arithmetic


def test_every_derived_row_leads_back_to_stated_figures(db):
    orphans = db.execute("""
        SELECT d.derived_table, count(*) FROM (
            SELECT 'gpu_demand' AS derived_table, scenario || '/' || workload AS id
            FROM marts.gpu_demand
            UNION ALL SELECT 'cagr', series || '/' || start_period || '/' || end_period
            FROM marts.cagr
            UNION ALL SELECT 'report_consistency', check_id FROM marts.report_consistency
        ) AS d
        LEFT JOIN marts.metric_inputs AS m
            ON m.derived_table = d.derived_table AND m.derived_id = d.id
            AND m.input_kind = 'figure'
        WHERE m.figure_id IS NULL GROUP BY 1""").fetchall()
    assert orphans == []
    provenance = db.execute("""
        SELECT DISTINCT m.section, m.data_source FROM marts.metric_inputs AS m
        WHERE m.derived_table = 'cagr'
          AND m.derived_id = 'intelligent_compute/china/compute/2021/2026'""").fetchall()
    assert provenance == [("1.7", "idc")]


def test_planted_wrong_total_is_flagged(sources, warehouse_file):
    """A wrong total that still loads (its rules made audit-only) is an audit finding."""
    tables = sources / "tables.yaml"
    text = tables.read_text(encoding="utf-8")
    for rule in (
        "{rule: sum_to_total, metric: spend, total: total",
        "{rule: growth_matches_levels, growth: growth, level: spend",
    ):
        text = text.replace(rule, rule + ", audit_only: true")
    tables.write_text(text, encoding="utf-8")
    # the report itself prints the wrong total (a transcription typo would fail its quote)
    edit_document(sources, "swsc_cloud_2023", "合计 4385270", "合计 4485270")
    it_spend = sources / "swsc_cloud_2023/it_spend.csv"
    edit_cell(
        it_spend, {"entity": "total", "metric": "spend", "period": "2022"}, "value", "4485270"
    )
    for metric, period in [
        ("spend", "2022"),
        ("growth", "2022"),
        ("spend", "2023"),
        ("growth", "2023"),
    ]:
        row = {"entity": "total", "metric": metric, "period": period}
        edit_cell(it_spend, row, "quote", "合计 4485270 -0.2% 4491471 2.4%")
    result = materialize()
    assert result.success
    with duckdb.connect(str(warehouse_file), read_only=True) as con:
        status = con.execute(
            "SELECT status, stated, recomputed FROM marts.report_consistency "
            "WHERE check_id = 'sum_to_total:swsc_cloud_2023/it_spend/total/spend/2022'"
        ).fetchall()
    assert status == [("mismatch", 4_485_270, 4_385_271)]
    checks = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert checks["report_sum_to_total"] is False


def test_a_table_is_read_after_a_single_row_fetch_on_the_same_connection():
    """DuckDB's relation API (`con.sql`) refuses to run while an `execute` result has not
    been fetched to its end, and `fetchone()` leaves it so; the metrics read their tables
    with `execute`, which any earlier `fetchone()` on the build connection does not block."""
    from warehouse.figures import read_table

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.t AS SELECT 1 AS a, 'x' AS b")
    assert con.execute("SELECT count(*) FROM marts.t").fetchone() == (1,)
    assert read_table(con, "marts.t", ["a"]).to_dict("records") == [{"a": 1}]
