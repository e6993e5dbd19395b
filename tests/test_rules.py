"""The rule evaluator and each rule kind on small hand-made tables: which instances a rule
finds, what it recomputes, and where printed rounding ends. Every expected number is worked
out in the comment beside it."""

import ast
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from warehouse.intervals import Interval
from warehouse.rules import (
    FormulaError,
    Relation,
    describe,
    evaluate,
    formula_names,
    interval_of,
    parse_formula,
    previous_year,
    relations,
    rule_check,
    rule_metrics,
)

FACTORS = {"USD million": 1e6, "USD trillion": 1e12, "percent": 1.0, "count": 1.0}


def table(rows: list[tuple], dims: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows of (entity, metric, period, value[, qualifier[, unit]] [, *dims]) of one report;
    the value is text, as read from a file."""
    records = []
    for row in rows:
        entity, metric, period, value, *rest = row
        qualifier = rest[0] if rest else "="
        unit = rest[1] if len(rest) > 1 else "percent"
        record = {
            "report_id": "r",
            "entity": entity,
            "metric": metric,
            "period": period,
            "value": value,
            "unit": unit,
            "value_qualifier": qualifier,
            "value_decimals": len(value.split(".")[1]) if "." in value else 0,
        }
        record |= dict(zip(dims, rest[2:], strict=True))
        records.append(record)
    return pd.DataFrame(records)


def one(frame, rule, dims=(), **params) -> Relation:
    [relation] = relations(frame, list(dims), rule, params, FACTORS)
    return relation


# ---- the formula evaluator --------------------------------------------------------------


def parse(expression: str) -> ast.Expression:
    return ast.parse(expression, mode="eval")


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("a + b", 5),
        ("a - b", -1),
        ("a * b", 6),
        ("b / a", 1.5),
        ("a ** b", 8),
        ("(a + b) * 2 - 1", 9),
        ("6 * a * 0.5", 6),
    ],
)
def test_evaluate_arithmetic(expression, value):
    assert evaluate(parse(expression), {"a": 2, "b": 3}) == value


def test_evaluate_over_intervals():
    names = {"a": Interval(1, 2), "b": Interval(10, 20)}
    assert evaluate(parse("b / a"), names) == Interval(5, 20)
    assert evaluate(parse("a * 2 + b"), names) == Interval(12, 24)


@pytest.mark.parametrize(
    "expression",
    ["__import__('os')", "a.real", "a if b else 1", "-a", "a % b", "unknown + 1", "'text'", "[a]"],
)
def test_evaluate_refuses_anything_but_arithmetic(expression):
    with pytest.raises(ValueError, match="formula: unsupported or unknown element"):
        evaluate(parse(expression), {"a": 2, "b": 3})


@given(
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=1, max_value=1000),
)
def test_evaluate_agrees_with_python_arithmetic(a, b, c):
    assert evaluate(parse("(a + b) * c - a / c"), {"a": a, "b": b, "c": c}) == (a + b) * c - a / c


def test_formula_names_and_rule_metrics():
    assert formula_names("operating_income / revenue * 100") == {"operating_income", "revenue"}
    assert rule_metrics({"metric": "spend", "total": "total"}) == {"spend"}
    assert rule_metrics({"growth": "growth", "level": "spend"}) == {"growth", "spend"}
    assert rule_metrics({"change": "c", "level": "m"}) == {"c", "m"}
    assert rule_metrics({"result": "margin", "expression": "income / revenue"}) == {
        "margin",
        "income",
        "revenue",
    }


@pytest.mark.parametrize(
    ("period", "before"),
    [
        ("2023", "2022"),
        ("2022H1", "2021H1"),
        ("2022Q3", "2021Q3"),
        ("2021/2026", None),
        ("2023-02", None),
        ("2022H3", None),
    ],
)
def test_previous_year(period, before):
    assert previous_year(period) == before


# ---- a printed row as an interval ---------------------------------------------------------


def row(value, decimals, qualifier="=", factor=1.0):
    return {
        "value": value,
        "value_decimals": decimals,
        "value_qualifier": qualifier,
        "_factor": factor,
    }


def test_interval_of_a_printed_row():
    assert interval_of(row(916, 0)) == Interval(915.5, 916.5)
    assert interval_of(row(916, None)) == Interval(915.5, 916.5)
    assert interval_of(row(916, pd.NA)) == Interval(915.5, 916.5)
    assert interval_of(row(4.5, 1, factor=1e12), base=True) == Interval(4.45e12, 4.55e12)
    assert interval_of(row(4.5, 1, factor=1e12)) == Interval(4.45, 4.55)  # factor ignored
    assert interval_of(row(4.5, 1, factor=1e12), base=True, exact=True) == Interval.exact(4.5e12)
    assert interval_of(row(300, 0, ">")) == Interval(300, math.inf)
    assert interval_of(row(300, 0, ">=")) == Interval(300, math.inf)
    assert interval_of(row(300, 0, ">", 2.0), base=True) == Interval(600, math.inf)
    assert interval_of(row(300, 0, "<")) == Interval(-math.inf, 300)
    assert interval_of(row(300, 0, "<=", 2.0), base=True) == Interval(-math.inf, 600)
    about = interval_of(row(368, 0, "~"))
    assert (about.lo, about.hi) == pytest.approx((364.32, 371.68))


# ---- each rule kind --------------------------------------------------------------------


IT_SPEND = [
    ("software", "spend", "2022", "100", "=", "USD million"),
    ("devices", "spend", "2022", "201", "=", "USD million"),
    ("total", "spend", "2022", "302", "=", "USD million"),
]


def test_sum_to_total_within_rounding():
    # 100 + 201 = 301 against 302: three whole numbers allow ±1.5
    relation = one(table(IT_SPEND), "sum_to_total", metric="spend", total="total")
    assert (relation.stated_value, relation.recomputed_value) == (302, 301)
    assert relation.ok
    assert relation.abs_diff == 1
    assert relation.tolerance == 1.5
    assert relation.stated_row == 2 and relation.input_rows == [0, 1]
    assert relation.description == "spend of total = sum of its 2 parts (period=2022)"


def test_sum_to_total_beyond_rounding_and_with_a_tolerance():
    # 100 + 201 = 301 against 303: 2 > 1.5
    rows = [*IT_SPEND[:2], ("total", "spend", "2022", "303", "=", "USD million")]
    relation = one(table(rows), "sum_to_total", metric="spend", total="total")
    assert not relation.ok
    assert relation.abs_diff == 2 and relation.tolerance == 1.5
    widened = one(table(rows), "sum_to_total", metric="spend", total="total", tolerance=0.5)
    assert widened.ok and widened.tolerance == 2.0
    # the tolerance widens the stated side both ways: 299 + 0.5 + 1.5 = 301
    low = [*IT_SPEND[:2], ("total", "spend", "2022", "299", "=", "USD million")]
    assert not one(table(low), "sum_to_total", metric="spend", total="total", tolerance=0.49).ok
    assert one(table(low), "sum_to_total", metric="spend", total="total", tolerance=0.5).ok


def test_sum_to_total_needs_one_total_and_some_parts():
    only_total = table([IT_SPEND[2]])
    assert (
        relations(only_total, [], "sum_to_total", {"metric": "spend", "total": "total"}, FACTORS)
        == []
    )
    no_total = table(IT_SPEND[:2])
    assert (
        relations(no_total, [], "sum_to_total", {"metric": "spend", "total": "total"}, FACTORS)
        == []
    )


def test_sum_to_total_per_dimension_and_period():
    rows = [
        ("iaas", "size", "2021", "10", "=", "count", "china"),
        ("total", "size", "2021", "10", "=", "count", "china"),
        ("iaas", "size", "2021", "20", "=", "count", "global"),
        ("paas", "size", "2021", "5", "=", "count", "global"),
        ("total", "size", "2021", "25", "=", "count", "global"),
    ]
    found = relations(
        table(rows, ("region",)),
        ["region"],
        "sum_to_total",
        {"metric": "size", "total": "total"},
        FACTORS,
    )
    assert [(r.stated_value, r.recomputed_value, r.ok) for r in found] == [
        (10, 10, True),
        (25, 25, True),
    ]
    assert found[1].description == "size of total = sum of its 2 parts (region=global, period=2021)"


def test_growth_matches_levels():
    # 397 ÷ 368 − 1 = 7.88 %; printed 7.3 % is off by 0.58, beyond ±(0.05 + 0.26)
    rows = [
        ("hpc", "size", "2021", "368", "=", "count"),
        ("hpc", "size", "2022", "397", "=", "count"),
        ("hpc", "growth", "2022", "7.3"),
    ]
    relation = one(table(rows), "growth_matches_levels", growth="growth", level="size")
    assert relation.recomputed_value == pytest.approx(7.880, abs=1e-3)
    assert not relation.ok
    assert relation.input_rows == [1, 0]
    assert relation.description == "growth of hpc 2022 = change of size from 2021"
    # 约368 makes 368 ±3.68: the growth interval reaches 7.3 %
    about = [("hpc", "size", "2021", "368", "~", "count"), *rows[1:]]
    assert one(table(about), "growth_matches_levels", growth="growth", level="size").ok


def test_growth_needs_both_levels():
    rows = [
        ("hpc", "size", "2022", "397", "=", "count"),
        ("hpc", "growth", "2022", "7.3"),
        ("hpc", "growth", "2021/2022", "7.3"),
    ]
    assert (
        relations(
            table(rows), [], "growth_matches_levels", {"growth": "growth", "level": "size"}, FACTORS
        )
        == []
    )


def test_growth_over_span():
    # 28 → 106 is +278.6 %, against 近300 % (printed 300, no decimals: ±0.5)
    rows = [
        ("hpapaas", "products", "2016", "28", "=", "count"),
        ("hpapaas", "products", "2019", "106", "=", "count"),
        ("hpapaas", "growth", "2016/2019", "300", "~"),
        ("hpapaas", "growth", "2019", "5"),  # not a span: not this rule's
    ]
    relation = one(table(rows), "growth_over_span", growth="growth", level="products")
    assert relation.recomputed_value == pytest.approx(278.57, abs=0.01)
    # from 28 ± 0.5 to 106 ± 0.5: (105.5 ÷ 28.5 − 1) × 100 to (106.5 ÷ 27.5 − 1) × 100
    assert (relation.recomputed.lo, relation.recomputed.hi) == pytest.approx(
        (270.18, 287.27), abs=0.01
    )
    assert relation.stated_value == 300
    assert not relation.ok
    assert relation.input_rows == [0, 1]
    assert relation.description == "growth of hpapaas over 2016/2019 = change of products"
    fine = [*rows[:2], ("hpapaas", "growth", "2016/2019", "279")]
    assert one(table(fine), "growth_over_span", growth="growth", level="products").ok


def test_growth_over_span_needs_both_ends():
    rows = [("x", "products", "2016", "28", "=", "count"), ("x", "growth", "2016/2019", "279")]
    assert (
        relations(
            table(rows), [], "growth_over_span", {"growth": "growth", "level": "products"}, FACTORS
        )
        == []
    )


def test_change_in_percentage_points():
    # margin 43.5 → 41.4 is −2.1 pp; printed −2.40 is 0.3 off, beyond ±(0.005 + 0.1)
    rows = [
        ("msft", "margin", "2022Q3", "43.5"),
        ("msft", "margin", "2023Q2", "41.4"),
        ("msft", "margin_change", "2023Q2", "-2.40"),
    ]
    relation = one(table(rows), "change", change="margin_change", level="margin")
    assert relation.recomputed_value == pytest.approx(-2.1)
    assert relation.tolerance == pytest.approx(0.105)
    assert not relation.ok
    assert relation.input_rows == [0, 1]
    assert relation.description == "margin_change of msft = margin 2023Q2 − margin 2022Q3"
    fine = [*rows[:2], ("msft", "margin_change", "2023Q2", "-2.1")]
    assert one(table(fine), "change", change="margin_change", level="margin").ok


def test_change_takes_the_latest_earlier_period():
    rows = [
        ("m", "margin", "2021Q3", "10.0"),
        ("m", "margin", "2022Q3", "40.0"),
        ("m", "margin", "2023Q2", "41.0"),
        ("m", "margin", "2023Q3", "99.0"),
        ("m", "margin_change", "2023Q2", "1.0"),
    ]
    relation = one(table(rows), "change", change="margin_change", level="margin")
    assert relation.recomputed_value == pytest.approx(1.0) and relation.ok


def test_change_needs_an_earlier_level_and_its_own():
    no_earlier = [("m", "margin", "2023Q2", "41.0"), ("m", "margin_change", "2023Q2", "1.0")]
    no_own = [("m", "margin", "2022Q3", "40.0"), ("m", "margin_change", "2023Q2", "1.0")]
    no_level_at_all = [("m", "margin", "2022Q3", "40.0"), ("n", "margin_change", "2023Q2", "1.0")]
    for rows in (no_earlier, no_own, no_level_at_all):
        assert (
            relations(
                table(rows), [], "change", {"change": "margin_change", "level": "margin"}, FACTORS
            )
            == []
        )


def test_sum_at_most_is_an_upper_bound():
    # 60.0 + 40.4 = 100.4, ±0.1: at least 100.3 > 100
    rows = [
        ("a", "share", "2022", "60.0", "=", "percent", "iaas"),
        ("b", "share", "2022", "40.4", "=", "percent", "iaas"),
    ]
    frame = table(rows, ("market",))
    relation = one(
        frame, "sum_at_most", ("market",), metric="share", max=100, group_by=["market", "period"]
    )
    assert not relation.ok
    assert relation.recomputed_value == pytest.approx(100.4)
    assert relation.abs_diff == pytest.approx(0.4)
    assert relation.tolerance == pytest.approx(0.1)
    assert relation.stated_row == 0 and relation.input_rows == [0, 1]
    assert relation.description == "sum of share ≤ 100 (market=iaas, period=2022)"
    # 60.0 + 40.1 = 100.1 could be 100.0: rounding lets it pass; below the bound, no difference
    fine = table([rows[0], ("b", "share", "2022", "40.1", "=", "percent", "iaas")], ("market",))
    assert one(
        fine, "sum_at_most", ("market",), metric="share", max=100, group_by=["market", "period"]
    ).ok
    low = table([rows[0], ("b", "share", "2022", "30.0", "=", "percent", "iaas")], ("market",))
    below = one(
        low, "sum_at_most", ("market",), metric="share", max=100, group_by=["market", "period"]
    )
    assert below.ok and below.abs_diff == 0
    slack = one(
        frame,
        "sum_at_most",
        ("market",),
        metric="share",
        max=100,
        group_by=["market", "period"],
        tolerance=0.31,
    )
    assert slack.ok


def test_formula_in_stated_units():
    # AWS: 228 ÷ 801 × 100 = 28.46 %, printed 28.7 %: beyond ±(0.05 + 0.08)
    rows = [
        ("aws", "income", "2022", "228", "=", "count"),
        ("aws", "revenue", "2022", "801", "=", "count"),
        ("aws", "margin", "2022", "28.7"),
    ]
    relation = one(table(rows), "formula", result="margin", expression="income / revenue * 100")
    assert relation.recomputed_value == pytest.approx(28.464, abs=1e-3)
    assert not relation.ok
    assert sorted(relation.input_rows) == [0, 1] and relation.stated_row == 2
    assert relation.description == "margin = income / revenue * 100 (entity=aws, period=2022)"
    fine = [*rows[:2], ("aws", "margin", "2022", "28.5")]
    assert one(table(fine), "formula", result="margin", expression="income / revenue * 100").ok


def test_formula_in_base_units():
    # 4.5 USD trillion (±0.05 trillion) against 4,491,471 USD million: agrees in base units
    rows = [
        ("total", "spend", "2023", "4491471", "=", "USD million"),
        ("total", "headline", "2023", "4.5", "=", "USD trillion"),
    ]
    relation = one(table(rows), "formula", result="headline", expression="spend", base_units=True)
    assert relation.stated_value == 4.5e12
    assert relation.recomputed_value == 4_491_471e6
    assert relation.ok
    in_stated_units = one(table(rows), "formula", result="headline", expression="spend")
    assert not in_stated_units.ok  # 4.5 against 4,491,471
    assert (in_stated_units.stated_value, in_stated_units.recomputed_value) == (4.5, 4_491_471)


def test_formula_with_exact_inputs():
    # servers = gpus / gpus_per_server: 60,764 ÷ 8 = 7,595.5 against 7,596 (±0.5)
    rows = [
        ("inference", "gpus", "x", "60764", "=", "count"),
        ("inference", "per_server", "x", "8", "=", "count"),
        ("inference", "servers", "x", "7596", "=", "count"),
    ]
    exact = one(
        table(rows), "formula", result="servers", expression="gpus / per_server", exact_inputs=True
    )
    assert exact.recomputed == Interval.exact(7595.5)
    assert exact.ok
    # 7,597 is beyond: exact inputs add no width
    off = [*rows[:2], ("inference", "servers", "x", "7597", "=", "count")]
    assert not one(
        table(off), "formula", result="servers", expression="gpus / per_server", exact_inputs=True
    ).ok
    # rounded inputs would let it pass: 60,764 ± 0.5 over 8 ± 0.5 is wide
    assert one(table(off), "formula", result="servers", expression="gpus / per_server").ok


def test_formula_for_one_entity_and_only_with_every_input():
    rows = [
        ("training", "a", "x", "2", "=", "count"),
        ("training", "b", "x", "4", "=", "count"),
        ("inference", "a", "x", "2", "=", "count"),
        ("inference", "b", "x", "6", "=", "count"),  # 2 × 2 ± 1 is 3…5
        ("other", "b", "x", "4", "=", "count"),
    ]
    found = relations(
        table(rows),
        [],
        "formula",
        {"result": "b", "expression": "a * 2", "entity": "training"},
        FACTORS,
    )
    assert [(r.stated_value, r.recomputed_value) for r in found] == [(4, 4)]
    everyone = relations(
        table(rows), [], "formula", {"result": "b", "expression": "a * 2"}, FACTORS
    )
    assert [(r.stated_value, r.ok) for r in everyone] == [(4, True), (6, False)]


def test_unparsable_values_and_other_metrics_are_left_out():
    rows = [
        *IT_SPEND[:2],
        ("total", "spend", "2022", "n/a", "=", "USD million"),
        ("total", "growth", "2022", "3"),
    ]
    assert (
        relations(table(rows), [], "sum_to_total", {"metric": "spend", "total": "total"}, FACTORS)
        == []
    )


def test_audit_only_and_note_are_not_rule_parameters():
    params = {"metric": "spend", "total": "total", "audit_only": True, "note": "why"}
    assert relations(table(IT_SPEND), [], "sum_to_total", params, FACTORS)[0].ok


def test_rule_check_keeps_the_frames_row_labels():
    # pandera lines the result up with the frame by label: a frame cut from a larger one
    rows = [*IT_SPEND[:2], ("total", "spend", "2022", "303", "=", "USD million")]
    frame = table(rows).set_axis([10, 11, 12])
    ok = rule_check(frame, [], "sum_to_total", {"metric": "spend", "total": "total"}, FACTORS)
    assert ok.to_dict() == {10: True, 11: True, 12: False}


def test_rule_check_marks_the_stated_row():
    rows = [*IT_SPEND[:2], ("total", "spend", "2022", "303", "=", "USD million")]
    frame = table(rows)
    ok = rule_check(frame, [], "sum_to_total", {"metric": "spend", "total": "total"}, FACTORS)
    assert ok.tolist() == [True, True, False]
    fine = rule_check(
        table(IT_SPEND), [], "sum_to_total", {"metric": "spend", "total": "total"}, FACTORS
    )
    assert fine.tolist() == [True, True, True]


def test_rules_read_tables_without_printed_decimals():
    frame = table(IT_SPEND).drop(columns="value_decimals")
    relation = one(frame, "sum_to_total", metric="spend", total="total")
    assert relation.tolerance == 1.5  # whole numbers, as if printed without decimals


def test_describe():
    assert describe("sum_to_total", {"metric": "spend", "total": "total"}) == (
        "the parts of 'spend' must add up to the 'total' row (within printed rounding)"
    )
    assert describe("sum_at_most", {"metric": "share", "group_by": ["period"], "max": 100}) == (
        "'share' summed per ['period'] must not exceed 100 (within printed rounding)"
    )


def test_relation_at_most_edges():
    # stated bound 100, recomputed [99.9, 100.1]: could be 100, fine
    touching = Relation(
        0, [], Interval.exact(100), Interval(99.9, 100.1), 100, 100, "", 0.0, at_most=True
    )
    assert touching.ok and touching.abs_diff == 0 and touching.tolerance == pytest.approx(0.1)
    above = Relation(
        0, [], Interval.exact(100), Interval(100.2, 100.4), 100, 100.3, "", 0.0, at_most=True
    )
    assert not above.ok and above.abs_diff == pytest.approx(0.3)
    slack = Relation(
        0, [], Interval.exact(100), Interval(100.2, 100.4), 100, 100.3, "", 0.2, at_most=True
    )
    assert slack.ok


def test_formula_limits_at_their_edges():
    # 500 characters pass, 501 do not: a 500-digit number is one constant (2 nodes)
    assert parse_formula("1" * 500) is not None
    with pytest.raises(FormulaError, match="longer than 500 characters"):
        parse_formula("1" * 501)
    # 49 negations of a constant: the expression, 49 × (UnaryOp, USub) and the constant = 100
    assert parse_formula("-" * 49 + "1") is not None
    # of a name instead: its Load context is one node more, 101
    with pytest.raises(FormulaError, match="more than 100 elements"):
        parse_formula("-" * 49 + "spend")


LEVELS = [
    ("hpc", "size", "2021", "368", "=", "count"),
    ("hpc", "size", "2022", "397", "=", "count"),
]


@pytest.mark.parametrize(
    ("rule", "rows", "params", "tolerance"),
    [
        # 100 + 201 against 302: three whole numbers, ±1.5
        ("sum_to_total", IT_SPEND, {"metric": "spend", "total": "total"}, 1.5),
        # 7.3 ± 0.05, and 397 ± 0.5 over 368 ± 0.5 spans about ±0.28 points
        (
            "growth_matches_levels",
            [*LEVELS, ("hpc", "growth", "2022", "7.3")],
            {"growth": "growth", "level": "size"},
            0.33,
        ),
        # 7.9 ± 0.05 over the span 2021/2022, the same ±0.28 of the levels
        (
            "growth_over_span",
            [*LEVELS, ("hpc", "growth", "2021/2022", "7.9")],
            {"growth": "growth", "level": "size"},
            0.33,
        ),
        # 29 ± 0.5 points against 397 ± 0.5 − 368 ± 0.5: ±1.5
        (
            "change",
            [*LEVELS, ("hpc", "size_change", "2022", "29")],
            {"change": "size_change", "level": "size"},
            1.5,
        ),
        # 397 ± 0.5 against 368 ± 0.5 + 29: ±1
        (
            "formula",
            [*LEVELS, ("hpc", "size_2021", "2022", "368", "=", "count")],
            {"result": "size", "expression": "size_2021 + 29"},
            1.0,
        ),
    ],
)
def test_each_rule_adds_its_tolerance_to_printed_rounding(rule, rows, params, tolerance):
    assert one(table(rows), rule, **params).tolerance == pytest.approx(tolerance, abs=0.01)
    widened = one(table(rows), rule, **params, tolerance=2.0)
    assert widened.tolerance == pytest.approx(tolerance + 2.0, abs=0.01)


def test_rules_skip_an_incomplete_instance_and_go_on_to_the_next():
    """An instance without what it needs is skipped, not the end of the table."""
    totals = [
        ("total", "spend", "2021", "50", "=", "USD million"),  # 2021 has no parts
        *IT_SPEND,
    ]
    [total] = relations(
        table(totals), [], "sum_to_total", {"metric": "spend", "total": "total"}, FACTORS
    )
    assert (total.stated_row, total.stated_value) == (3, 302)
    spans = [
        *LEVELS,
        ("hpc", "growth", "2022", "7.9"),  # not a span
        ("hpc", "growth", "2020/2022", "10"),  # no 2020 level
        ("hpc", "growth", "2021/2022", "7.9"),
    ]
    [span] = relations(
        table(spans), [], "growth_over_span", {"growth": "growth", "level": "size"}, FACTORS
    )
    assert (span.stated_row, span.stated_value) == (4, 7.9)
    changes = [
        *LEVELS,
        ("hpc", "size_change", "2021", "3"),  # no level before 2021
        ("hpc", "size_change", "2022", "29"),
    ]
    params = {"change": "size_change", "level": "size"}
    [change] = relations(table(changes), [], "change", params, FACTORS)
    assert (change.stated_row, change.stated_value, change.recomputed_value) == (3, 29, 29)


def test_growth_needs_this_years_level_too():
    rows = [LEVELS[0], ("hpc", "growth", "2022", "7.3")]  # 2021 stated, 2022 not
    params = {"growth": "growth", "level": "size"}
    assert relations(table(rows), [], "growth_matches_levels", params, FACTORS) == []


@pytest.mark.parametrize("expression", ["size ** 2", "size ** 10", "size ** 0", "size ** 0.5"])
def test_formula_exponents_from_0_to_10_are_allowed(expression):
    assert parse_formula(expression) is not None


@pytest.mark.parametrize("expression", ["size ** 11", "size ** -2", "size ** other", "size ** 'a'"])
def test_formula_exponents_past_10_negative_or_not_numbers_are_refused(expression):
    with pytest.raises(FormulaError, match=r"\*\* takes a number from 0 to 10 as its exponent"):
        parse_formula(expression)


def test_a_formula_that_does_not_parse_says_so():
    with pytest.raises(FormulaError, match=r"formula 'size \+' does not parse"):
        parse_formula("size +")
