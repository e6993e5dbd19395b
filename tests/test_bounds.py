"""Bounds at their edges: `gt 0` refuses 0, `le 100` accepts 100, for each bound kind; and
the registry bounds what docs/sources.md says it bounds (sizes > 0, shares 0–100)."""

import csv

import pytest
from demo_sources import FIGURE_HEADER, REPORT

from warehouse.loading import load_table
from warehouse.problems import SourceValidationError
from warehouse.registry import Registry

BOUNDED = """
      share: {units: [percent], ge: 0, le: 100}
      growth: {units: [percent], gt: -100, lt: 1000}
"""


@pytest.fixture
def bounded(project):
    """The demo sources with cloud_market's metrics bounded every way."""
    tables = project / "sources" / "tables.yaml"
    text = tables.read_text(encoding="utf-8")
    anchor = "      revenue: {units: [CNY 100 million], gt: 0}\n"
    tables.write_text(text.replace(anchor, anchor + BOUNDED.lstrip("\n")), encoding="utf-8")
    return project / "sources"


def load_cloud_market(sources, metric: str, value: str, unit: str) -> None:
    row = f"china,中国,{metric},2022,{value},{unit},=,false,1.2,caict,edge,"  # no quote
    (sources / REPORT / "cloud_market.csv").write_text(
        f"{FIGURE_HEADER}\n{row}\n", encoding="utf-8"
    )
    registry = Registry.load(sources)
    load_table(registry, registry.tables["cloud_market"])


@pytest.mark.parametrize(
    ("metric", "value", "unit"),
    [
        ("revenue", "0.001", "CNY 100 million"),  # gt 0: just above
        ("share", "0", "percent"),  # ge 0: the edge itself
        ("share", "100", "percent"),  # le 100: the edge itself
        ("growth", "-99.9", "percent"),  # gt -100: just above
        ("growth", "999.9", "percent"),  # lt 1000: just below
    ],
)
def test_values_inside_a_bound_load(bounded, metric, value, unit):
    load_cloud_market(bounded, metric, value, unit)


@pytest.mark.parametrize(
    ("metric", "value", "unit", "rule"),
    [
        ("revenue", "0", "CNY 100 million", "'revenue' must be > 0"),
        ("share", "-0.1", "percent", "'share' must be >= 0"),
        ("share", "100.1", "percent", "'share' must be <= 100"),
        ("growth", "-100", "percent", "'growth' must be > -100"),
        ("growth", "1000", "percent", "'growth' must be < 1000"),
    ],
)
def test_values_at_or_past_a_strict_bound_fail(bounded, metric, value, unit, rule):
    with pytest.raises(SourceValidationError) as caught:
        load_cloud_market(bounded, metric, value, unit)
    assert f"line 2, column 'value': value '{value}': {rule}" in str(caught.value)


def _base_units(root) -> dict[str, str]:
    with (root / "units.csv").open(encoding="utf-8") as handle:
        return {row["unit"]: row["base_unit"] for row in csv.DictReader(handle)}


# an income can be a loss
MAY_BE_NEGATIVE = {("hyperscaler_financials", "operating_income")}


def test_sizes_are_bounded_above_zero_and_shares_by_0_and_100(real_sources):
    registry, base = Registry.load(real_sources), _base_units(real_sources)
    sizes, shares = 0, 0
    for spec in registry.tables.values():
        for metric in spec.metrics.values():
            units = {base[u] for u in metric.units}
            where = (spec.name, metric.name)
            if units <= {"USD", "CNY", "FLOPS"} and where not in MAY_BE_NEGATIVE:
                assert dict(metric.bounds) == {"gt": 0}, where
                sizes += 1
            if "share" in metric.name and units == {"percent"}:
                assert dict(metric.bounds) == {"ge": 0, "le": 100}, where
                shares += 1
    assert sizes >= 10 and shares >= 10
