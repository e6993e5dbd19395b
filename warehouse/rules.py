"""Relations a table's figures must satisfy, declared in `tables.yaml` under `rules:`.

Each rule kind turns a table's rows into *relation instances*: one stated figure, the figures
it is recomputed from, and both as intervals (a printed figure stands for everything that
rounds to it; see `warehouse.intervals`). The same instances serve twice:

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
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from warehouse.figures import Row, rows_of
from warehouse.intervals import Interval, agree

Params = dict[str, Any]  # a rule's parameters as tables.yaml writes them

YEAR_SUFFIX = re.compile(r"^(\d{4})(H[12]|Q[1-4])?$")
SPAN = re.compile(r"^(.+)/(.+)$")


def previous_year(period: str) -> str | None:
    """`2023` → `2022`, `2022H1` → `2021H1`, `2022Q3` → `2021Q3`; other periods have none."""
    match = YEAR_SUFFIX.match(period)
    return f"{int(match.group(1)) - 1}{match.group(2) or ''}" if match else None


def interval_of(row: Row, base: bool = False, exact: bool = False) -> Interval:
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

    stated_row: Hashable
    input_rows: list[Hashable]
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


Key = tuple[Hashable, ...]
Record = tuple[Hashable, Row]  # (index label in the table's frame, the row as a dict)


def _groups(records: list[Record], keys: list[str]) -> dict[Key, list[Record]]:
    """Records by the values of `keys`, groups and rows in order of first appearance.
    Plain dicts rather than pandas groups: a rule over 1,000 reports has thousands of groups
    of a few rows, where a frame per group costs more than the arithmetic."""
    groups: dict[Key, list[Record]] = defaultdict(list)
    for record in records:
        groups[tuple(record[1][k] for k in keys)].append(record)
    return groups


def _of_metric(records: list[Record], *metrics: str) -> list[Record]:
    return [record for record in records if record[1]["metric"] in metrics]


def _sum(rows: Iterable[Row]) -> float:
    """As pandas sums a column (numpy's pairwise sum), so recomputed values do not move."""
    return float(np.sum([row["value"] for row in rows]))


def _label(key_names: list[str], key: Key) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(key_names, key, strict=True) if k != "report_id")


def sum_to_total(
    records: list[Record], dims: list[str], metric: str, total: str, tolerance: float = 0.0
) -> Iterator[Relation]:
    """The `total` entity's value equals the sum of the other entities' values."""
    keys = ["report_id", *dims, "period"]
    for key, group in _groups(_of_metric(records, metric), keys).items():
        totals = [(i, r) for i, r in group if r["entity"] == total]
        parts = [(i, r) for i, r in group if r["entity"] != total]
        if len(totals) != 1 or not parts:
            continue
        index, row = totals[0]
        summed = sum((interval_of(p) for _, p in parts), Interval.exact(0))
        yield Relation(
            index,
            [i for i, _ in parts],
            interval_of(row),
            summed,
            row["value"],
            _sum(p for _, p in parts),
            f"{metric} of {total} = sum of its {len(parts)} parts ({_label(keys, key)})",
            tolerance,
        )


def _level_lookup(records: list[Record], dims: list[str], level: str) -> dict[Key, Record]:
    keys = ["report_id", *dims, "entity", "period"]
    return {tuple(r[k] for k in keys): (i, r) for i, r in _of_metric(records, level)}


def _series_key(row: Row, dims: list[str]) -> Key:
    return tuple(row[k] for k in ["report_id", *dims, "entity"])


def growth_matches_levels(
    records: list[Record], dims: list[str], growth: str, level: str, tolerance: float = 0.0
) -> Iterator[Relation]:
    """A growth rate (percent) equals the change of `level` from the year before."""
    levels = _level_lookup(records, dims, level)
    for index, row in _of_metric(records, growth):
        before = previous_year(row["period"])
        key = _series_key(row, dims)
        now, then = levels.get((*key, row["period"])), levels.get((*key, before))
        if before is None or now is None or then is None:
            continue
        recomputed = (interval_of(now[1]) / interval_of(then[1]) - 1) * 100
        yield Relation(
            index,
            [now[0], then[0]],
            interval_of(row),
            recomputed,
            row["value"],
            (now[1]["value"] / then[1]["value"] - 1) * 100,
            f"{growth} of {row['entity']} {row['period']} = change of {level} from {before}",
            tolerance,
        )


def growth_over_span(
    records: list[Record], dims: list[str], growth: str, level: str, tolerance: float = 0.0
) -> Iterator[Relation]:
    """A growth rate stated for a span `A/B` equals the change of `level` from A to B."""
    levels = _level_lookup(records, dims, level)
    for index, row in _of_metric(records, growth):
        span = SPAN.match(row["period"])
        key = _series_key(row, dims)
        if span is None:
            continue
        first, last = levels.get((*key, span.group(1))), levels.get((*key, span.group(2)))
        if first is None or last is None:
            continue
        (i0, start), (i1, end) = first, last
        recomputed = (interval_of(end) / interval_of(start) - 1) * 100
        yield Relation(
            index,
            [i0, i1],
            interval_of(row),
            recomputed,
            row["value"],
            (end["value"] / start["value"] - 1) * 100,
            f"{growth} of {row['entity']} over {row['period']} = change of {level}",
            tolerance,
        )


def change(
    records: list[Record], dims: list[str], change: str, level: str, tolerance: float = 0.0
) -> Iterator[Relation]:
    """A change in percentage points stated at `to_period` (or over a span `A/B`) equals the
    difference of `level` between the two periods; `from_period` names A when not a span."""
    levels = _level_lookup(records, dims, level)
    periods: dict[Key, list[str]] = defaultdict(list)
    for *key, period in levels:
        periods[tuple(key)].append(str(period))
    for index, row in _of_metric(records, change):
        key = _series_key(row, dims)
        candidates = sorted(p for p in periods.get(key, ()) if p < row["period"])
        if not candidates or (*key, row["period"]) not in levels:
            continue
        (i0, start), (i1, end) = levels[(*key, candidates[-1])], levels[(*key, row["period"])]
        yield Relation(
            index,
            [i0, i1],
            interval_of(row),
            interval_of(end) - interval_of(start),
            row["value"],
            end["value"] - start["value"],
            f"{change} of {row['entity']} = {level} {row['period']} − {level} {candidates[-1]}",
            tolerance,
        )


def sum_at_most(
    records: list[Record],
    dims: list[str],
    metric: str,
    max: float,
    group_by: list[str],
    tolerance: float = 0.0,
) -> Iterator[Relation]:
    """Values of `metric` in one group (say, shares of one market and period) stay ≤ max;
    the stated side is the bound, so a mismatch is a sum above it beyond rounding."""
    keys = ["report_id", *group_by]
    for key, group in _groups(_of_metric(records, metric), keys).items():
        summed = sum((interval_of(r) for _, r in group), Interval.exact(0))
        yield Relation(
            group[0][0],
            [i for i, _ in group],
            Interval.exact(max),
            summed,
            max,
            _sum(r for _, r in group),
            f"sum of {metric} ≤ {max:g} ({_label(keys, key)})",
            tolerance,
            at_most=True,
        )


_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def evaluate(node: ast.AST, names: Mapping[str, Any]) -> Any:
    """Arithmetic over named values (+ − × ÷ ** and numbers only): enough for a report's
    formulas, and nothing a YAML file could use to run code. The result has the names' type
    (Interval or float), hence Any."""
    if isinstance(node, ast.Expression):
        return evaluate(node.body, names)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](evaluate(node.left, names), evaluate(node.right, names))
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    raise ValueError(f"formula: unsupported or unknown element {ast.dump(node)}")


MAX_FORMULA_CHARS, MAX_FORMULA_NODES, MAX_EXPONENT = 500, 100, 10


class FormulaError(ValueError):
    """A formula in tables.yaml is not one the evaluator will run."""


def parse_formula(expression: str) -> ast.Expression:
    """The formula's syntax tree, bounded so that a reviewed file cannot make a refresh run
    forever or crash while it holds the warehouse lock: a short expression, few elements, and
    `**` only with a small constant exponent (`9**9**9**9` would never finish). A constant in
    Python's syntax tree is never negative (`-2` is a minus applied to 2, which `evaluate`
    does not run), so the exponent is a number from 0 to MAX_EXPONENT."""
    if len(expression) > MAX_FORMULA_CHARS:
        raise FormulaError(
            f"formula longer than {MAX_FORMULA_CHARS} characters: {expression[:60]}…"
        )
    try:
        tree = ast.parse(expression, mode="eval")
        nodes = list(ast.walk(tree))
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise FormulaError(f"formula {expression[:60]!r} does not parse: {exc}") from None
    if len(nodes) > MAX_FORMULA_NODES:
        raise FormulaError(
            f"formula with more than {MAX_FORMULA_NODES} elements: {expression[:60]}…"
        )
    for node in nodes:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            exponent = node.right
            if not (
                isinstance(exponent, ast.Constant)
                and isinstance(exponent.value, int | float)
                and exponent.value <= MAX_EXPONENT
            ):
                raise FormulaError(
                    f"formula {expression!r}: ** takes a number from 0 to {MAX_EXPONENT} as "
                    "its exponent"
                )
    return tree


def formula_names(expression: str) -> set[str]:
    return {n.id for n in ast.walk(parse_formula(expression)) if isinstance(n, ast.Name)}


METRIC_PARAMS = ("metric", "growth", "level", "change", "result")


def rule_metrics(params: Params) -> set[str]:
    """The metrics a rule relates (its rows are the only ones it reads)."""
    named = {params[p] for p in METRIC_PARAMS if p in params}
    return named | (formula_names(params["expression"]) if "expression" in params else set())


def formula(
    records: list[Record],
    dims: list[str],
    result: str,
    expression: str,
    entity: str | None = None,
    base_units: bool = False,
    exact_inputs: bool = False,
    tolerance: float = 0.0,
) -> Iterator[Relation]:
    """`result` equals an arithmetic expression of other metrics of the same entity and
    period (in stated units, or in base units with `base_units: true`; `exact_inputs: true`
    treats the inputs as exact assumptions rather than rounded figures)."""
    tree = parse_formula(expression)
    needed = formula_names(expression)
    keys = ["report_id", *dims, "entity", "period"]
    rows = _of_metric(records, *needed, result)
    if entity is not None:
        rows = [(i, r) for i, r in rows if r["entity"] == entity]
    for key, group in _groups(rows, keys).items():
        by_metric = {r["metric"]: (i, r) for i, r in group}
        if result not in by_metric or not needed <= set(by_metric):
            continue
        inputs = {m: by_metric[m] for m in sorted(needed)}  # sorted: input_ids in a fixed order
        index, row = by_metric[result]
        recomputed = evaluate(
            tree, {m: interval_of(r, base_units, exact_inputs) for m, (_, r) in inputs.items()}
        )
        point = evaluate(
            tree,
            {
                m: float(r["value"]) * (float(r["_factor"]) if base_units else 1.0)
                for m, (_, r) in inputs.items()
            },
        )
        stated = interval_of(row, base_units)
        yield Relation(
            index,
            [i for i, _ in inputs.values()],
            stated,
            recomputed,
            float(row["value"]) * (float(row["_factor"]) if base_units else 1.0),
            point,
            f"{result} = {expression} ({_label(keys, key)})",
            tolerance,
        )


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


def describe(rule: str, params: Params) -> str:
    """The rule as a sentence, for validation errors and the audit."""
    return MESSAGES[rule].format(**params) + " (within printed rounding)"


def rule_columns(dims: Iterable[str]) -> list[str]:
    """The columns of a table's rows that its rules read (`value_decimals` where it has it)."""
    return [
        "report_id",
        *dims,
        "entity",
        "period",
        "metric",
        "value",
        "unit",
        "value_qualifier",
        "value_decimals",
    ]


def relations(
    frame: pd.DataFrame, dims: list[str], rule: str, params: Params, unit_factors: dict[str, float]
) -> list[Relation]:
    """Every instance of one rule in a table's rows."""
    params = {k: v for k, v in params.items() if k not in ("audit_only", "note")}
    frame = frame.assign(
        value=pd.to_numeric(frame["value"], errors="coerce"),
        _factor=frame["unit"].map(unit_factors),
    )
    frame = frame[frame["value"].notna() & frame["metric"].isin(rule_metrics(params))]
    if "value_decimals" not in frame.columns:
        frame = frame.assign(value_decimals=None)
    records = list(zip(frame.index, rows_of(frame, [*rule_columns(dims), "_factor"]), strict=True))
    return list(RULES[rule](records, dims, **params))


def rule_check(
    frame: pd.DataFrame, dims: list[str], rule: str, params: Params, unit_factors: dict[str, float]
) -> pd.Series:
    """One boolean per row for pandera: False where a stated figure breaks the rule."""
    broken = [r.stated_row for r in relations(frame, dims, rule, params, unit_factors) if not r.ok]
    return pd.Series(~frame.index.isin(broken), index=frame.index)
