"""The arithmetic audit without a warehouse: table rules over the real sources' files, stated
CAGRs and cross-checks over hand-made figures. Expected numbers are the report's or worked
out beside them."""

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from warehouse.loading import load_table, quote_indexes
from warehouse.metrics.audit import (
    COLUMNS,
    MISMATCH,
    OK,
    AuditRow,
    audit_frame,
    cagr_rows,
    cross_check_rows,
    reading_rows,
    table_rule_rows,
)
from warehouse.registry import Registry

HPC_GROWTH = "growth_matches_levels:global_hpc/growth/2022"


def rule_rows(sources, table: str, qualifiers: dict[str, str] | None = None) -> dict[str, AuditRow]:
    """The audit rows of one table's rules, figure ids written entity/metric/period;
    `qualifiers` overrides the value_qualifier of figures by id after loading (loading checks
    a qualifier against its quote, the rules only read it)."""
    registry = Registry.load(sources)
    spec = registry.tables[table]
    raw = load_table(registry, spec).frame
    ids = raw["entity"] + "/" + raw["metric"] + "/" + raw["period"]
    for figure, qualifier in (qualifiers or {}).items():
        assert (ids == figure).sum() == 1, figure
        raw.loc[ids == figure, "value_qualifier"] = qualifier
    return {row.check_id: row for row in table_rule_rows(registry, spec, raw, ids)}


def test_global_hpc_growth_holds_because_368_is_about(sources):
    # 397 ÷ 368 − 1 = 7.88 % against the printed 7.3 %; 约368 (±3.68) reaches it
    row = rule_rows(sources, "hpc_market")[HPC_GROWTH]
    assert row.ok
    assert (row.stated, round(row.recomputed, 2)) == (7.3, 7.88)
    assert row.input_ids == [
        "global_hpc/growth/2022",
        "global_hpc/market_size/2022",
        "global_hpc/market_size/2021",
    ]
    assert row.report_id == "swsc_cloud_2023" and row.table_name == "hpc_market"
    assert row.description.startswith("'growth' must agree with the change of 'market_size'")
    assert row.note == (
        "397/368 = +7.9%, printed +7.3%; the 2021 base is 约368, which covers part of it."
    )


def test_without_about_the_global_hpc_growth_is_a_mismatch(sources):
    rows = rule_rows(sources, "hpc_market", {"global_hpc/market_size/2021": "="})
    row = rows[HPC_GROWTH]
    assert not row.ok
    assert row.abs_diff == pytest.approx(0.58, abs=0.01)
    # ±0.05 on 7.3, and 397 ± 0.5 over 368 ± 0.5 spans about ±0.28 points
    assert row.tolerance == pytest.approx(0.33, abs=0.01)


def test_the_it_spend_rules_carry_their_note(sources):
    rows = rule_rows(sources, "it_spend")
    headline = rows["formula:total/spend_headline/2023"]
    assert headline.note == "The summary's 4.5万亿美元 against the table's total."
    assert headline.ok and headline.relation == "formula"
    # compared in base units (4.5 USD trillion against the table's USD million): shown in USD
    assert (headline.stated, headline.unit) == (4.5e12, "USD")
    assert headline.description == (
        "'spend_headline' must equal spend (within printed rounding): "
        "spend_headline = spend (entity=total, period=2023)"
    )
    total = rows["sum_to_total:total/spend/2022"]
    assert (total.stated, total.recomputed) == (4_385_270, 4_385_271)  # segments miss by +1
    assert total.tolerance == 3.0  # six whole numbers and the total: 7 × 0.5 − 0.5
    assert total.unit == "USD million"  # in the figures' own unit
    assert total.input_ids[0] == "total/spend/2022" and len(total.input_ids) == 6


def figures(rows: list[dict]) -> pd.DataFrame:
    defaults = {
        "report_id": "r",
        "dimension": "",
        "value_qualifier": "=",
        "value_decimals": 0,
        "unit": "count",
        "period": "2022",
    }
    return pd.DataFrame([{**defaults, **row} for row in rows])


def test_stated_cagr_against_its_endpoints():
    # 155.2 → 1,271.4 EFLOPS over 5 years: (1271.4 / 155.2)^(1/5) − 1 = 52.29 %, stated 52.3 %
    figs = figures(
        [
            {
                "figure_id": "start",
                "table_name": "ic",
                "metric": "compute",
                "value": 155.2,
                "value_decimals": 1,
                "period": "2021",
            },
            {
                "figure_id": "end",
                "table_name": "ic",
                "metric": "compute",
                "value": 1271.4,
                "value_decimals": 1,
                "period": "2026",
            },
            {
                "figure_id": "rate",
                "table_name": "ic",
                "metric": "cagr",
                "value": 52.3,
                "value_decimals": 1,
                "period": "2021/2026",
            },
        ]
    )
    cagr = pd.DataFrame(
        [
            {
                "series": "ic/china/compute",
                "table_name": "ic",
                "report_id": "r",
                "years": 5,
                "start_period": "2021",
                "end_period": "2026",
                "cagr_pct": 52.29235,
                "stated_cagr_pct": 52.3,
                "start_figure_id": "start",
                "end_figure_id": "end",
                "stated_figure_id": "rate",
            },
            # one year: a growth rate, the growth rules' job
            {
                "series": "ic/china/compute",
                "table_name": "ic",
                "report_id": "r",
                "years": 1,
                "start_period": "2021",
                "end_period": "2022",
                "cagr_pct": 10.0,
                "stated_cagr_pct": 10.0,
                "start_figure_id": "start",
                "end_figure_id": "end",
                "stated_figure_id": "rate",
            },
            # no stated rate
            {
                "series": "ic/china/compute",
                "table_name": "ic",
                "report_id": "r",
                "years": 5,
                "start_period": "2021",
                "end_period": "2026",
                "cagr_pct": 50.0,
                "stated_cagr_pct": None,
                "start_figure_id": "start",
                "end_figure_id": "end",
                "stated_figure_id": None,
            },
            # one endpoint not stated
            {
                "series": "ic/china/compute",
                "table_name": "ic",
                "report_id": "r",
                "years": 5,
                "start_period": "2021",
                "end_period": "2026",
                "cagr_pct": 50.0,
                "stated_cagr_pct": 50.0,
                "start_figure_id": None,
                "end_figure_id": "end",
                "stated_figure_id": "rate",
            },
        ]
    )
    [row] = cagr_rows(cagr, figs)
    assert row.check_id == "cagr:rate"
    assert row.ok
    assert row.stated == 52.3
    assert row.recomputed == pytest.approx(52.29235)
    assert row.abs_diff == pytest.approx(0.00765)
    assert row.input_ids == ["rate", "start", "end"]
    assert row.description == "stated CAGR of ic/china/compute 2021→2026 vs its endpoints"
    # ±0.05 on the rate; the endpoints' ±0.05 move the CAGR by about ±0.01 points
    assert row.tolerance == pytest.approx(0.0612, abs=1e-3)
    wrong = figs.assign(value=figs["value"].where(figs["figure_id"] != "rate", 55.0))
    assert not next(iter(cagr_rows(cagr, wrong))).ok


def two_year_cagr(start: float, end: float, rate: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Whole-number endpoints two years apart (each ±0.5) and a stated rate (±0.5)."""
    figs = figures(
        [
            {"figure_id": "start", "table_name": "ic", "value": start, "period": "2021"},
            {"figure_id": "end", "table_name": "ic", "value": end, "period": "2023"},
            {"figure_id": "rate", "table_name": "ic", "value": rate, "unit": "percent"},
        ]
    )
    cagr = pd.DataFrame(
        [
            {
                "series": "ic/china/compute",
                "table_name": "ic",
                "report_id": "r2",
                "years": 2,
                "start_period": "2021",
                "end_period": "2023",
                "cagr_pct": ((end / start) ** 0.5 - 1) * 100,
                "stated_cagr_pct": rate,
                "start_figure_id": "start",
                "end_figure_id": "end",
                "stated_figure_id": "rate",
            }
        ]
    )
    return cagr, figs


@pytest.mark.parametrize(
    ("start", "end", "rate", "holds"),
    [
        # 3.5 → 11.5: at most 12 / 3 = 4 = 2², a CAGR of at most 100 %; 100.5 stands for
        # 100…101: the intervals only touch, and touching agrees
        (3.5, 11.5, 100.5, True),
        (3.5, 11.5, 101.5, False),  # 101…102: one unit past the edge
        # 3.5 → 16.5: at least 16 / 4 = 4 = 2², at least 100 %; 99.5 stands for 99…100
        (3.5, 16.5, 99.5, True),
        (3.5, 16.5, 98.5, False),
    ],
)
def test_stated_cagr_whose_interval_only_touches_the_endpoints_holds(start, end, rate, holds):
    cagr, figs = two_year_cagr(start, end, rate)
    [row] = cagr_rows(cagr, figs)
    assert row.ok is holds
    assert (row.relation, row.table_name, row.report_id) == ("cagr", "ic", "r2")
    assert (row.stated, row.unit) == (rate, "percent")


CROSS_CHECK = {
    "id": "margin",
    "description": "margin from income and revenue",
    "stated": {"table_name": "fin", "metric": "margin"},
    "expression": "income / revenue * 100",
    "inputs": {
        "income": {"table_name": "fin", "metric": "income"},
        "revenue": {"table_name": "fin", "metric": "revenue", "entity": "aws"},
    },
}


def cross_figures(margin: float, report: str = "r") -> list[dict]:
    return [
        {
            "figure_id": f"{report}/m",
            "report_id": report,
            "table_name": "fin",
            "entity": "aws",
            "metric": "margin",
            "value": margin,
            "unit": "percent",
            "value_decimals": 1,
        },
        {
            "figure_id": f"{report}/i",
            "report_id": report,
            "table_name": "fin",
            "entity": "aws",
            "metric": "income",
            "value": 228.0,
            "unit": "USD 100 million",
        },
        {
            "figure_id": f"{report}/r",
            "report_id": report,
            "table_name": "fin",
            "entity": "aws",
            "metric": "revenue",
            "value": 801.0,
            "unit": "USD 100 million",
        },
        {
            "figure_id": f"{report}/x",
            "report_id": report,
            "table_name": "fin",
            "entity": "gcp",
            "metric": "revenue",
            "value": 1.0,
            "unit": "USD 100 million",
        },
    ]


# What cross_check_rows reads of the registry: unit factors and base units.
UNITS = SimpleNamespace(
    unit_factors={"percent": 1.0, "count": 1.0, "USD 100 million": 1e8, "USD million": 1e6},
    base_units={
        "percent": "percent",
        "count": "count",
        "USD 100 million": "USD",
        "USD million": "USD",
    },
)


def test_cross_check_per_report_in_base_units():
    # 228 ÷ 801 × 100 = 28.46 %: 28.7 is a mismatch, 28.5 holds
    frame = figures(cross_figures(28.7, "a") + cross_figures(28.5, "b"))
    rows = {row.report_id: row for row in cross_check_rows([CROSS_CHECK], frame, UNITS)}
    assert set(rows) == {"a", "b"}
    assert rows["a"].check_id == "cross_check:margin:a"
    assert not rows["a"].ok and rows["b"].ok
    assert rows["a"].recomputed == pytest.approx(28.464, abs=1e-3)
    assert rows["a"].abs_diff == pytest.approx(0.236, abs=1e-3)
    assert rows["a"].input_ids == ["a/m", "a/i", "a/r"]
    assert rows["a"].relation == "cross_check" and rows["a"].table_name == "fin"
    assert rows["a"].description == "margin from income and revenue"
    # ±0.05 stated, and 228 ± 0.5 over 801 ± 0.5 is 28.38…28.54 %, ±0.08
    assert rows["a"].tolerance == pytest.approx(0.130, abs=1e-3)


def test_cross_check_with_constants_and_relative_tolerance():
    check = {
        **CROSS_CHECK,
        "expression": "income / revenue * scale",
        "constants": {"scale": {"value": 100}},
        "relative_tolerance": 0.01,
        "note": "why",
    }
    [row] = cross_check_rows([check], figures(cross_figures(28.7)), UNITS)
    # 1 % of 28.46 adds 0.28 to the tolerance: 0.236 now holds
    assert row.ok and row.note == "why"
    assert row.tolerance == pytest.approx(0.130 + 0.2846, abs=1e-3)


def equal_check(table: str, stated: str, input_metric: str) -> dict:
    """A cross-check that one figure equals another (the input named `x` in the expression)."""
    return {
        "id": stated,
        "description": f"{stated} equals {input_metric}",
        "stated": {"table_name": table, "metric": stated},
        "expression": "x",
        "inputs": {"x": {"table_name": table, "metric": input_metric}},
    }


def test_cross_check_compares_figures_of_different_units_in_their_base_unit():
    check = equal_check("fin", "revenue", "revenue_musd")
    frame = figures(
        [
            {"figure_id": "r/rev", "metric": "revenue", "value": 801, "unit": "USD 100 million"},
            {"figure_id": "r/mu", "metric": "revenue_musd", "value": 80_130, "unit": "USD million"},
        ]
    ).assign(table_name="fin")
    frame.index = frame.index + 100  # a frame cut from a larger one keeps its row labels
    [row] = cross_check_rows([check], frame, UNITS)
    # 801 × 10^8 = 8.01 × 10^10 USD stated, 80,130 × 10^6 = 8.013 × 10^10 USD recomputed
    assert (row.stated, row.recomputed, row.unit) == (8.01e10, 8.013e10, "USD")
    assert row.abs_diff == pytest.approx(3e7)
    # ±0.5 × 10^8 on the stated figure and ±0.5 × 10^6 on the input: 3 × 10^7 apart holds
    assert row.tolerance == pytest.approx(5.05e7)
    assert row.ok


@pytest.mark.parametrize(("stated", "holds"), [(3, True), (4, False)])
def test_cross_check_that_misses_by_exactly_its_tolerance_holds(stated, holds):
    # 3 ± 0.5 against 2 ± 0.5: they differ by 1, the tolerance is 0.5 + 0.5 = 1
    check = equal_check("t", "a", "b")
    frame = figures(
        [
            {"figure_id": "a", "table_name": "t", "metric": "a", "value": stated},
            {"figure_id": "b", "table_name": "t", "metric": "b", "value": 2},
        ]
    )
    [row] = cross_check_rows([check], frame, UNITS)
    assert (row.abs_diff, row.tolerance, row.ok) == (stated - 2, 1.0, holds)


def test_cross_check_skips_reports_without_every_figure_or_with_several():
    partial = [f for f in cross_figures(28.7, "a") if f["metric"] != "income"]
    assert list(cross_check_rows([CROSS_CHECK], figures(partial), UNITS)) == []
    # a report that lacks a figure is skipped, the next one is still checked
    both = figures(partial + cross_figures(28.5, "b"))
    assert [row.report_id for row in cross_check_rows([CROSS_CHECK], both, UNITS)] == ["b"]
    doubled = [*cross_figures(28.7), {**cross_figures(28.7)[1], "figure_id": "again"}]
    assert list(cross_check_rows([CROSS_CHECK], figures(doubled), UNITS)) == []


def test_audit_frame_has_status_and_sorted_rows():
    def row(check_id: str, ok: bool) -> AuditRow:
        return AuditRow(
            check_id, "formula", "t", "r", "d", 1.0, 1.0, "percent", 0.0, 0.5, ok, None, ["f"]
        )

    frame = audit_frame([row("b", True), row("a", False)])
    assert list(frame.columns) == COLUMNS
    assert "status" in COLUMNS and "ok" not in COLUMNS
    assert frame[["check_id", "status"]].values.tolist() == [["a", MISMATCH], ["b", OK]]
    empty = audit_frame([])
    assert list(empty.columns) == COLUMNS and len(empty) == 0


def server_figures(servers: float) -> list[dict]:
    """The GPU model's training servers and what they must hold (section 1.6)."""
    base = {"report_id": "r", "table_name": "gpu", "entity": "training", "unit": "count"}
    return [
        {**base, "figure_id": "r/s", "metric": "servers", "value": servers},
        {**base, "figure_id": "r/g", "metric": "gpus", "value": 15531.0},
        {**base, "figure_id": "r/p", "metric": "per_server", "value": 8.0},
        {**base, "figure_id": "r/y", "metric": "years_doubled", "value": 3.0},
    ]


SERVERS_HOLD_GPUS = {
    "id": "servers",
    "description": "servers hold every GPU",
    "stated": {"table_name": "gpu", "metric": "servers"},
    "expression": "gpus / per_server",
    "compare": "at_least",
    "exact": True,
    "inputs": {
        "gpus": {"table_name": "gpu", "metric": "gpus"},
        "per_server": {"table_name": "gpu", "metric": "per_server"},
    },
}
COUNTS = SimpleNamespace(unit_factors={"count": 1.0}, base_units={"count": "count"})


@pytest.mark.parametrize(("servers", "holds"), [(1941, False), (1942, True), (1950, True)])
def test_at_least_with_exact_counts(servers, holds):
    # 15531 / 8 = 1941.375: 1941 servers hold 15528 GPUs; counts have no rounding to allow
    [row] = cross_check_rows([SERVERS_HOLD_GPUS], figures(server_figures(servers)), COUNTS)
    assert row.ok is holds
    assert row.recomputed == 1941.375 and row.tolerance == 0


def test_a_constant_expression_with_context_figures():
    check = {
        **SERVERS_HOLD_GPUS,
        "expression": "2000",
        "inputs": {},
        "context": {"doubled": {"table_name": "gpu", "metric": "years_doubled"}},
    }
    [row] = cross_check_rows([check], figures(server_figures(1941)), COUNTS)
    assert (row.recomputed, row.ok, row.input_ids) == (2000, False, ["r/s", "r/y"])
    missing = [f for f in server_figures(1941) if f["metric"] != "years_doubled"]
    assert list(cross_check_rows([check], figures(missing), COUNTS)) == []


def test_a_reading_s_quotes_must_be_in_the_document(real_sources):
    registry = Registry.load(real_sources)
    documents = quote_indexes(registry, {"swsc_cloud_2023"})
    reading = {
        "id": "heading",
        "report_id": "swsc_cloud_2023",
        "table_name": "ai_cloud",
        "description": "a heading names another company",
        "quotes": ["百度：全面开放“飞天智算平台”"],
    }
    empty = pd.DataFrame(columns=["figure_id", "report_id"])
    [row] = reading_rows([reading], documents, empty)
    assert (row.check_id, row.ok, row.quotes) == (
        "reading:heading:swsc_cloud_2023",
        False,
        ("百度：全面开放“飞天智算平台”",),
    )
    assert list(reading_rows([reading], {}, empty)) == []  # a report not in this warehouse
    with pytest.raises(ValueError, match="is not in the document"):
        list(
            reading_rows(
                [{**reading, "quotes": ["阿里：全面开放“飞天智算平台”"]}], documents, empty
            )
        )


def test_a_reading_row_names_the_figures_it_is_about(real_sources):
    """Every field of a reading's row: the words as the reviewer wrote them, no arithmetic
    (NaN, not 0), always a mismatch, and the figures its selectors name in this report only."""
    documents = quote_indexes(Registry.load(real_sources), {"swsc_cloud_2023"})
    reading = {
        "id": "users",
        "report_id": "swsc_cloud_2023",
        "table_name": "gpu_model",
        "description": "monthly users taken as daily askers",
        "note": "a reviewer's reading",
        # the second quote breaks a line inside a span: compared without whitespace
        "quotes": ["假设月活跃用户1亿", "每天提供3亿次\n回答"],
        "figures": [
            {"table_name": "gpu_model", "metric": "monthly_active_users"},
            {"table_name": "gpu_model", "metric": "answers_per_day"},
        ],
    }
    figures = pd.DataFrame(
        [
            ("g/1", "swsc_cloud_2023", "gpu_model", "monthly_active_users"),
            ("g/2", "swsc_cloud_2023", "gpu_model", "answers_per_day"),
            ("g/3", "swsc_cloud_2023", "gpu_model", "questions_per_user"),  # not selected
            ("g/4", "another_report", "gpu_model", "answers_per_day"),  # another report's
        ],
        columns=["figure_id", "report_id", "table_name", "metric"],
    )
    [row] = reading_rows([reading], documents, figures)
    assert (
        row.check_id, row.relation, row.table_name, row.report_id, row.description, row.unit,
        row.ok, row.note, row.input_ids, row.quotes,
    ) == (
        "reading:users:swsc_cloud_2023", "reading", "gpu_model", "swsc_cloud_2023",
        "monthly users taken as daily askers", None, False, "a reviewer's reading",
        ["g/1", "g/2"], ("假设月活跃用户1亿", "每天提供3亿次\n回答"),
    )  # fmt: skip
    numbers = (row.stated, row.recomputed, row.abs_diff, row.tolerance)
    assert all(math.isnan(n) for n in numbers)
    [without] = reading_rows([{**reading, "figures": None, "note": None}], documents, figures)
    assert (without.input_ids, without.note) == ([], None)
    # a reading of a report this warehouse does not hold is passed over, not the end
    elsewhere = {**reading, "report_id": "another_report"}
    assert [r.report_id for r in reading_rows([elsewhere, reading], documents, figures)] == [
        "swsc_cloud_2023"
    ]


def test_audit_frame_quotes_a_row_by_its_own_words_or_its_figures():
    def row(check_id: str, input_ids: list[str], quotes: tuple[str, ...] = ()) -> AuditRow:
        return AuditRow(
            check_id, "cross_check", "t", "r", "d", 1.0, 1.0, "x", 0.0, 0.1, True, None,
            input_ids, quotes,
        )  # fmt: skip

    quote_of = {"f/1": "约368亿美元", "f/2": "增长2.4%", "f/3": ""}
    frame = audit_frame(
        [
            row("a", ["f/1", "f/2", "f/1", "f/3", "f/9"]),  # each quote once, in input order
            row("b", ["f/1"], ("ChatGPT 2022年11月",)),  # a reading's own words win
        ],
        quote_of,
    )
    assert frame["quotes"].tolist() == [["约368亿美元", "增长2.4%"], ["ChatGPT 2022年11月"]]
    assert audit_frame([row("c", ["f/1"])])["quotes"].tolist() == [[]]


def test_audit_frame_keeps_twelve_significant_digits():
    """Float noise goes, figures keep 12 significant digits: abs_diff and tolerance to the
    decimal place of the larger side (a slip of 10^18 keeps both sides)."""

    def row(check_id, stated, recomputed, abs_diff, tolerance) -> AuditRow:
        return AuditRow(
            check_id, "formula", "t", "r", "d", stated, recomputed, "x", abs_diff, tolerance,
            False, None, ["f"],
        )  # fmt: skip

    frame = audit_frame(
        [
            # 1/3 has 12 significant digits at 12 decimals; 2000/3 = 666.67 at 9
            row("a", 1 / 3, 2000 / 3, 2000 / 3 - 1 / 3, 0.1 + 0.2),
            # both sides 0: a tolerance of 0.1234567890123 keeps 11 decimals
            row("b", 0.0, 0.0, 0.0, 0.1234567890123),
            # 3 FLOPS against 3 × 10^18 (a unit slip): the difference keeps 12 digits
            row("c", 3.0, 3e18 + 1, 3e18 - 2, 1.5),
            row("d", 1.0, math.inf, math.inf, math.inf),  # a division by an interval over 0
        ]
    )
    values = frame[["stated", "recomputed", "abs_diff", "tolerance"]].values.tolist()
    assert values == [
        [0.333333333333, 666.666666667, 666.333333333, 0.3],
        [0.0, 0.0, 0.0, 0.12345678901],
        [3.0, 3e18, 3e18, 0.0],
        [1.0, math.inf, math.inf, math.inf],
    ]
