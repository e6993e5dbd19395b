"""Relations a table's figures must satisfy, declared in `tables.yaml` under `rules:`.

Each rule kind turns a table's rows into *relation instances*: one stated figure, the figures
it is recomputed from, and both as intervals (a printed figure stands for everything that
rounds to it; see `warehouse.metrics.intervals`). The same instances serve twice:

- at load time, a rule is a pandera check: a stated figure that disagrees with its inputs
  beyond rounding blocks the load (a typo is caught before it reaches the warehouse);
- in the arithmetic audit (`marts.report_consistency`), every instance becomes a row.

Rules marked `audit_only: true` describe relations the report itself breaks: they never
block a load, and the audit lists their mismatches as findings.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from warehouse.metrics.intervals import Interval, agree

YEAR_SUFFIX = re.compile(r"^(\d{4})(H[12]|Q[1-4])?$")
SPAN = re.compile(r"^(.+)/(.+)$")


def previous_year(period: str) -> str | None:
    """`2023` → `2022`, `2022H1` → `2021H1`, `2022Q3` → `2021Q3`; other periods have none."""
    match = YEAR_SUFFIX.match(period)
    return f"{int(match.group(1)) - 1}{match.group(2) or ''}" if match else None


def interval_of(row, base: bool = False, exact: bool = False) -> Interval:
    """The values a row's printed figure can stand for (× its unit factor when `base`)."""
    value, factor = float(row["value"]), float(row["_factor"]) if base else 1.0
    qualifier = row["value_qualifier"]
    if exact:
        return Interval.exact(value * factor)
    if qualifier in (">", ">="):
        return Interval(value * factor, math.inf)
    if qualifier in ("<", "<="):
        return Interval(-math.inf, value * factor)
    decimals = row["value_decimals"]
    decimals = None if decimals is None or pd.isna(decimals) else int(decimals)
    return Interval.stated(value, decimals, qualifier) * factor


@dataclass
class Relation:
    """One instance of a rule: a stated figure and what its inputs say it should be."""

    stated_row: object
    input_rows: list
    stated: Interval
    recomputed: Interval
    stated_value: float
    recomputed_value: float
    description: str
    slack: float = 0.0
    at_most: bool = False  # the stated side is an upper bound, not a value
    ok: bool = field(init=False)

    def __post_init__(self):
        if self.at_most:
            self.ok = self.recomputed.lo <= self.stated.hi + self.slack
        else:
            widened = Interval(self.stated.lo - self.slack, self.stated.hi + self.slack)
            self.ok = agree(widened, self.recomputed)

    @property
    def tolerance(self) -> float:
        """|stated − recomputed| may reach this before the two disagree."""
        if self.at_most:
            return self.recomputed.half_width + self.slack
        return self.stated.half_width + self.recomputed.half_width + self.slack

    @property
    def abs_diff(self) -> float:
        difference = self.recomputed_value - self.stated_value
        return max(difference, 0.0) if self.at_most else abs(difference)


def _groups(frame: pd.DataFrame, keys: list[str]) -> Iterator[tuple[tuple, pd.DataFrame]]:
    for key, group in frame.groupby(keys, dropna=False, sort=False):
        yield (key if isinstance(key, tuple) else (key,)), group


def _label(key_names: list[str], key: tuple) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(key_names, key, strict=True) if k != "report_id")


def sum_to_total(frame, dims, metric, total, tolerance=0.0) -> Iterator[Relation]:
    """The `total` entity's value equals the sum of the other entities' values."""
    keys = ["report_id", *dims, "period"]
    for key, group in _groups(frame[frame["metric"] == metric], keys):
        totals, parts = group[group["entity"] == total], group[group["entity"] != total]
        if len(totals) != 1 or parts.empty:
            continue
        row = totals.iloc[0]
        summed = sum((interval_of(p) for _, p in parts.iterrows()), Interval.exact(0))
        yield Relation(totals.index[0], list(parts.index), interval_of(row), summed,
                       row["value"], parts["value"].sum(),
                       f"{metric} of {total} = sum of its {len(parts)} parts ({_label(keys, key)})",
                       tolerance)


def _level_lookup(frame: pd.DataFrame, dims: list[str], level: str) -> dict:
    rows = frame[frame["metric"] == level]
    keys = ["report_id", *dims, "entity", "period"]
    return {tuple(r[k] for k in keys): (i, r) for i, r in rows.iterrows()}


def growth_matches_levels(frame, dims, growth, level, tolerance=0.0) -> Iterator[Relation]:
    """A growth rate (percent) equals the change of `level` from the year before."""
    levels = _level_lookup(frame, dims, level)
    for index, row in frame[frame["metric"] == growth].iterrows():
        before = previous_year(row["period"])
        key = tuple(row[k] for k in ["report_id", *dims, "entity"])
        now, then = levels.get((*key, row["period"])), levels.get((*key, before))
        if before is None or now is None or then is None:
            continue
        recomputed = (interval_of(now[1]) / interval_of(then[1]) - 1) * 100
        yield Relation(index, [now[0], then[0]], interval_of(row), recomputed, row["value"],
                       (now[1]["value"] / then[1]["value"] - 1) * 100,
                       f"{growth} of {row['entity']} {row['period']} = change of {level} "
                       f"from {before}", tolerance)


def growth_over_span(frame, dims, growth, level, tolerance=0.0) -> Iterator[Relation]:
    """A growth rate stated for a span `A/B` equals the change of `level` from A to B."""
    levels = _level_lookup(frame, dims, level)
    for index, row in frame[frame["metric"] == growth].iterrows():
        span = SPAN.match(row["period"])
        key = tuple(row[k] for k in ["report_id", *dims, "entity"])
        ends = span and (levels.get((*key, span.group(1))), levels.get((*key, span.group(2))))
        if not ends or None in ends:
            continue
        (i0, start), (i1, end) = ends
        recomputed = (interval_of(end) / interval_of(start) - 1) * 100
        yield Relation(index, [i0, i1], interval_of(row), recomputed, row["value"],
                       (end["value"] / start["value"] - 1) * 100,
                       f"{growth} of {row['entity']} over {row['period']} = change of {level}",
                       tolerance)


def change(frame, dims, change, level, tolerance=0.0) -> Iterator[Relation]:
    """A change in percentage points stated at `to_period` (or over a span `A/B`) equals the
    difference of `level` between the two periods; `from_period` names A when not a span."""
    levels = _level_lookup(frame, dims, level)
    for index, row in frame[frame["metric"] == change].iterrows():
        key = tuple(row[k] for k in ["report_id", *dims, "entity"])
        candidates = sorted(p for (*k, p) in levels if tuple(k) == key and p < row["period"])
        if not candidates or (*key, row["period"]) not in levels:
            continue
        (i0, start), (i1, end) = levels[(*key, candidates[-1])], levels[(*key, row["period"])]
        yield Relation(index, [i0, i1], interval_of(row), interval_of(end) - interval_of(start),
                       row["value"], end["value"] - start["value"],
                       f"{change} of {row['entity']} = {level} {row['period']} − "
                       f"{level} {candidates[-1]}", tolerance)


def sum_at_most(frame, dims, metric, max, group_by, tolerance=0.0) -> Iterator[Relation]:
    """Values of `metric` in one group (say, shares of one market and period) stay ≤ max;
    the stated side is the bound, so a mismatch is a sum above it beyond rounding."""
    keys = ["report_id", *group_by]
    for key, group in _groups(frame[frame["metric"] == metric], keys):
        summed = sum((interval_of(r) for _, r in group.iterrows()), Interval.exact(0))
        yield Relation(group.index[0], list(group.index), Interval.exact(max), summed, max,
                       group["value"].sum(), f"sum of {metric} ≤ {max:g} ({_label(keys, key)})",
                       tolerance, at_most=True)


_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv, ast.Pow: operator.pow}


def _evaluate(node: ast.AST, names: dict):
    """Arithmetic over named values (+ − × ÷ ** and numbers only): enough for a report's
    formulas, and nothing a YAML file could use to run code."""
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, names)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left, names),
                                         _evaluate(node.right, names))
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    raise ValueError(f"formula: unsupported or unknown element {ast.dump(node)}")


def formula_names(expression: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)}


def formula(frame, dims, result, expression, entity=None, base_units=False,
            exact_inputs=False, tolerance=0.0) -> Iterator[Relation]:
    """`result` equals an arithmetic expression of other metrics of the same entity and
    period (in stated units, or in base units with `base_units: true`; `exact_inputs: true`
    treats the inputs as exact assumptions rather than rounded figures)."""
    tree = ast.parse(expression, mode="eval")
    needed = formula_names(expression)
    keys = ["report_id", *dims, "entity", "period"]
    rows = frame[frame["metric"].isin(needed | {result})]
    if entity is not None:
        rows = rows[rows["entity"] == entity]
    for key, group in _groups(rows, keys):
        by_metric = {r["metric"]: (i, r) for i, r in group.iterrows()}
        if result not in by_metric or not needed <= set(by_metric):
            continue
        inputs = {m: by_metric[m] for m in needed}
        index, row = by_metric[result]
        recomputed = _evaluate(tree, {m: interval_of(r, base_units, exact_inputs)
                                      for m, (_, r) in inputs.items()})
        point = _evaluate(tree, {m: float(r["value"]) * (float(r["_factor"]) if base_units
                                                         else 1.0)
                                 for m, (_, r) in inputs.items()})
        stated = interval_of(row, base_units)
        yield Relation(index, [i for i, _ in inputs.values()], stated, recomputed,
                       float(row["value"]) * (float(row["_factor"]) if base_units else 1.0),
                       point, f"{result} = {expression} ({_label(keys, key)})", tolerance)


RULES: dict[str, Callable[..., Iterator[Relation]]] = {
    "sum_to_total": sum_to_total,
    "growth_matches_levels": growth_matches_levels,
    "growth_over_span": growth_over_span,
    "change": change,
    "sum_at_most": sum_at_most,
    "formula": formula,
}


MESSAGES = {
    "sum_to_total": "the parts of '{metric}' must add up to the '{total}' row",
    "growth_matches_levels": "'{growth}' must agree with the change of '{level}' from the "
                             "year before",
    "growth_over_span": "'{growth}' over a span must agree with the change of '{level}'",
    "change": "'{change}' must equal the difference of '{level}' between the two periods",
    "sum_at_most": "'{metric}' summed per {group_by} must not exceed {max}",
    "formula": "'{result}' must equal {expression}",
}


def describe(rule: str, params: dict) -> str:
    """The rule as a sentence, for validation errors and the audit."""
    return MESSAGES[rule].format(**params) + " (within printed rounding)"


def relations(frame: pd.DataFrame, dims: list[str], rule: str, params: dict,
              unit_factors: dict[str, float]) -> list[Relation]:
    """Every instance of one rule in a table's rows."""
    params = {k: v for k, v in params.items() if k not in ("audit_only", "note")}
    frame = frame.assign(
        value=pd.to_numeric(frame["value"], errors="coerce"),
        _factor=frame["unit"].map(unit_factors),
    )
    frame = frame[frame["value"].notna()]
    if "value_decimals" not in frame.columns:
        frame = frame.assign(value_decimals=None)
    return list(RULES[rule](frame, dims, **params))


def rule_check(frame: pd.DataFrame, dims: list[str], rule: str, params: dict,
               unit_factors: dict[str, float]) -> pd.Series:
    """One boolean per row for pandera: False where a stated figure breaks the rule."""
    ok = pd.Series(True, index=frame.index)
    for relation in relations(frame, dims, rule, params, unit_factors):
        if not relation.ok:
            ok[relation.stated_row] = False
    return ok
