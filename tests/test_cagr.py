"""Compound annual growth over hand-made series: every span of a yearly series, the stated
rate beside it, and the endpoint a stated CAGR implies when only one is printed."""

import pandas as pd
import pytest

from warehouse.metrics.cagr import COLUMNS, compute_cagr, series_name


def figure(figure_id, metric, period, value, unit="EFLOPS", entity="china", **extra) -> dict:
    return {
        "figure_id": figure_id,
        "report_id": "r",
        "table_name": "ic",
        "dimension": None,
        "entity": entity,
        "metric": metric,
        "period": period,
        "value": value,
        "unit": unit,
        "value_decimals": 1,
        **extra,
    }


def cagr_of(rows: list[dict]) -> pd.DataFrame:
    return compute_cagr(pd.DataFrame(rows))


def test_every_span_with_the_stated_rate_beside_it():
    # 155.2 (2021) → 268.0 (2022) → 1,271.4 (2026); the report states 52.3 % for 2021/2026
    frame = cagr_of(
        [
            figure("a", "compute", "2021", 155.2),
            figure("b", "compute", "2022", 268.0),
            figure("c", "compute", "2026", 1271.4),
            figure("rate", "cagr", "2021/2026", 52.3, unit="percent"),
            # growth over a span is the whole change (1,271.4 ÷ 268 − 1 = 374.4 %), not a rate
            # per year: it is no stated CAGR of 2022→2026
            figure("total", "growth", "2022/2026", 374.4, unit="percent"),
        ]
    )
    assert list(frame.columns) == COLUMNS
    spans = frame.set_index(["start_period", "end_period"])
    assert sorted(spans.index) == [("2021", "2022"), ("2021", "2026"), ("2022", "2026")]
    assert set(frame["series"]) == {"ic/china/compute"}
    five = spans.loc[("2021", "2026")]
    assert five["years"] == 5
    assert round(five["cagr_pct"], 1) == 52.3  # (1271.4 / 155.2)^(1/5) − 1 = 52.29 %
    assert five["stated_cagr_pct"] == pytest.approx(52.3)
    assert (five["start_value"], five["end_value"]) == (155.2, 1271.4)
    assert (five["start_figure_id"], five["end_figure_id"], five["stated_figure_id"]) == (
        "a",
        "c",
        "rate",
    )
    assert five["input_ids"] == ["a", "c", "rate"]
    assert (five["start_decimals"], five["end_decimals"]) == (1, 1)
    one = spans.loc[("2021", "2022")]
    assert one["years"] == 1 and one["cagr_pct"] == pytest.approx(100 * (268.0 / 155.2 - 1))
    assert pd.isna(one["stated_cagr_pct"]) and one["input_ids"] == ["a", "b"]
    assert spans.loc[("2022", "2026"), "years"] == 4
    assert pd.isna(spans.loc[("2022", "2026"), "stated_cagr_pct"])


def test_a_stated_growth_rate_is_a_one_year_cagr():
    frame = cagr_of(
        [
            figure("a", "size", "2021", 368.0, unit="USD 100 million"),
            figure("b", "size", "2022", 397.0, unit="USD 100 million"),
            figure("g", "growth", "2022", 7.3, unit="percent"),
        ]
    )
    [row] = frame.to_dict("records")
    assert row["stated_cagr_pct"] == pytest.approx(7.3)
    assert row["cagr_pct"] == pytest.approx(100 * (397 / 368 - 1))
    assert row["input_ids"] == ["a", "b", "g"]


def test_rates_ranks_and_non_positive_values_are_not_levels():
    frame = cagr_of(
        [
            figure("a", "share", "2021", 10.0, unit="percent"),
            figure("b", "share", "2022", 12.0, unit="percent"),
            figure("c", "rank", "2021", 1.0, unit="rank"),
            figure("d", "rank", "2022", 2.0, unit="rank"),
            figure("e", "pp", "2021", 1.0, unit="percentage points"),
            figure("f", "pp", "2022", 2.0, unit="percentage points"),
            figure("m", "times", "2021", 1.0, unit="multiple"),
            figure("n", "times", "2022", 2.0, unit="multiple"),
            figure("g", "income", "2021", -5.0),
            figure("h", "income", "2022", 5.0),
            figure("z", "income2", "2021", 0.0),
            figure("y", "income2", "2022", 5.0),
            figure("i", "size", "2022H1", 5.0),
            figure("j", "size", "2023H1", 6.0),
            figure("k", "size", "2023", 6.0),
        ]
    )
    assert len(frame) == 0


def test_series_are_kept_apart_by_report_entity_and_dimension():
    frame = cagr_of(
        [
            figure("a", "size", "2021", 100.0, dimension="region=china"),
            figure("b", "size", "2022", 110.0, dimension="region=china"),
            figure("c", "size", "2021", 200.0, dimension="region=global"),
            figure("d", "size", "2022", 300.0, dimension="region=global"),
            figure("e", "size", "2021", 1.0, entity="usa"),
            figure("f", "size", "2022", 2.0, report_id="other"),
        ]
    )
    assert dict(zip(frame["series"], frame["cagr_pct"].round(2), strict=True)) == {
        "ic/region=china/china/size": 10.0,
        "ic/region=global/china/size": 50.0,
    }


def test_a_stated_cagr_with_one_endpoint_implies_the_other():
    # 38 % a year from 2017 to 2021 and 370.4亿元 in 2021: 370.4 ÷ 1.38⁴ = 102.05亿元 in 2017
    frame = cagr_of(
        [
            figure("end", "market_size", "2021", 370.4, unit="CNY 100 million", entity="saas"),
            figure("other", "market_size", "2020", 300.0, unit="CNY 100 million", entity="saas"),
            figure("rate", "cagr", "2017/2021", 38.0, unit="percent", entity="saas"),
        ]
    )
    row = frame[frame["start_period"] == "2017"].iloc[0]
    assert round(row["implied_start_value"], 1) == 102.1
    assert pd.isna(row["implied_end_value"])
    assert (row["end_value"], row["end_figure_id"], row["years"]) == (370.4, "end", 4)
    assert row["end_period"] == "2021"
    assert row["stated_cagr_pct"] == pytest.approx(38.0)
    assert row["input_ids"] == ["end", "rate"]
    assert row["series"] == "ic/saas/market_size"
    assert row["unit"] == "CNY 100 million"
    # the start stated instead: 100 × 1.1² = 121 at the end
    start_only = cagr_of(
        [
            figure("start", "size", "2020", 100.0),
            figure("rate", "cagr", "2020/2022", 10.0, unit="percent"),
        ]
    )
    [row] = start_only.to_dict("records")
    assert row["implied_end_value"] == pytest.approx(121.0)
    assert (row["start_value"], row["start_figure_id"]) == (100.0, "start")
    assert (row["start_period"], row["end_period"]) == ("2020", "2022")
    assert row["input_ids"] == ["start", "rate"]


def test_a_stated_cagr_without_any_endpoint_or_over_one_year_implies_nothing():
    frame = cagr_of(
        [
            figure("x", "size", "2010", 1.0),
            figure("y", "size", "2011", 2.0),
            figure("rate", "cagr", "2017/2021", 38.0, unit="percent"),
            figure("one", "cagr", "2011/2012", 5.0, unit="percent"),
            # an entity with a stated rate and no level at all
            figure("alone", "cagr", "2017/2021", 9.0, unit="percent", entity="elsewhere"),
        ]
    )
    assert frame[["start_period", "end_period"]].values.tolist() == [["2010", "2011"]]


def test_series_name_skips_empty_parts():
    assert series_name({"table_name": "t", "dimension": "", "entity": "e", "metric": "m"}) == (
        "t/e/m"
    )
    assert series_name({"table_name": "t", "dimension": None, "entity": "e", "metric": "m"}) == (
        "t/e/m"
    )
    assert series_name({"table_name": "t", "dimension": "d=1", "entity": "e", "metric": "m"}) == (
        "t/d=1/e/m"
    )
