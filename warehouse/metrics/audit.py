"""The arithmetic audit: every relation the report's figures must satisfy, recomputed.

Three families of relations, each instance a `rules.Relation`, so one rule decides whether a
stated figure agrees with its recomputation within printed rounding, at load and here:
- the table rules of `sources/tables.yaml` (totals, growth rates, shares, formulas such as
  each step of the GPU model, unit slips), including the `audit_only` ones the report breaks;
- stated CAGRs against their endpoints (from `marts.cagr`);
- cross-checks between tables and against outside facts (`cross_checks` in tables.yaml).

A mismatch is a finding about the report, not a failure of the pipeline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import pandas as pd

from warehouse.figures import Row, rows_of
from warehouse.intervals import Interval
from warehouse.registry import FIGURES, Registry, TableSpec
from warehouse.rules import (
    RULES,
    Key,
    Relation,
    describe,
    evaluate,
    interval_of,
    parse_formula,
    relations,
)

OK, MISMATCH = "ok", "mismatch"
CAGR, CROSS_CHECK = "cagr", "cross_check"
# every kind of relation the audit recomputes: the table rules, then the two of its own
RELATIONS = (*RULES, CAGR, CROSS_CHECK)


@dataclass(frozen=True)
class AuditRow:
    """One relation of the report's figures, recomputed: a row of marts.report_consistency."""

    check_id: str
    relation: str
    table_name: str
    report_id: str
    description: str
    stated: float
    recomputed: float
    unit: str  # of stated and recomputed: the stated figure's, or its base unit
    abs_diff: float
    tolerance: float
    ok: bool
    note: str | None
    input_ids: list[str]

    @classmethod
    def from_relation(
        cls,
        instance: Relation,
        *,
        check_id: str,
        relation: str,
        table_name: str,
        report_id: str,
        description: str,
        unit: str,
        note: str | None,
        figure_id: Callable[[Hashable], str] = str,
    ) -> AuditRow:
        """The row of one relation instance; its rows become figure ids through `figure_id`
        (an instance of a table rule names rows of `raw.<table>`, the others figure ids)."""
        return cls(
            check_id,
            relation,
            table_name,
            report_id,
            description,
            instance.stated_value,
            instance.recomputed_value,
            unit,
            instance.abs_diff,
            instance.tolerance,
            instance.ok,
            note,
            [figure_id(row) for row in (instance.stated_row, *instance.input_rows)],
        )


# the table's columns: the row's fields, with `status` (ok | mismatch) in place of `ok`
COLUMNS = [("status" if f.name == "ok" else f.name) for f in fields(AuditRow)]


def table_rule_rows(
    registry: Registry, spec: TableSpec, raw: pd.DataFrame, figure_ids: pd.Series
) -> Iterable[AuditRow]:
    """One row per instance of each rule of one table (`raw` is `raw.<table>`,
    `figure_ids` maps its index to `marts.fct_report_figures.figure_id`)."""
    ids = figure_ids.to_dict()
    for rule in spec.rules:
        params = {k: v for k, v in rule.params.items() if k != "note"}
        for relation in relations(
            raw, list(spec.dimensions), rule.rule, params, registry.unit_factors
        ):
            unit = str(raw.at[relation.stated_row, "unit"])
            yield AuditRow.from_relation(
                relation,
                check_id=f"{rule.rule}:{ids[relation.stated_row]}",
                relation=rule.rule,
                table_name=spec.name,
                report_id=str(raw.at[relation.stated_row, "report_id"]),
                description=f"{describe(rule.rule, params)}: {relation.description}",
                unit=registry.base_units[unit] if params.get("base_units") else unit,
                note=rule.params.get("note"),
                figure_id=ids.__getitem__,
            )


def cagr_rows(cagr: pd.DataFrame, figures: pd.DataFrame) -> Iterable[AuditRow]:
    """Stated multi-year CAGRs against the CAGR their stated endpoints give."""
    by_id = figures.set_index("figure_id")
    stated = cagr[
        cagr["stated_cagr_pct"].notna()
        & cagr["start_figure_id"].notna()
        & cagr["end_figure_id"].notna()
        & (cagr["years"] > 1)
    ]
    for row in stated.to_dict("records"):
        start, end, rate = (
            by_id.loc[row[k]] for k in ("start_figure_id", "end_figure_id", "stated_figure_id")
        )
        description = (
            f"stated CAGR of {row['series']} {row['start_period']}→{row['end_period']} vs "
            "its endpoints"
        )
        instance = Relation(
            stated_row=row["stated_figure_id"],
            input_rows=[row["start_figure_id"], row["end_figure_id"]],
            stated=interval_of(rate),
            recomputed=((interval_of(end) / interval_of(start)) ** (1 / row["years"]) - 1) * 100,
            stated_value=rate["value"],
            recomputed_value=row["cagr_pct"],
            description=description,
        )
        yield AuditRow.from_relation(
            instance,
            check_id=f"{CAGR}:{row['stated_figure_id']}",
            relation=CAGR,
            table_name=row["table_name"],
            report_id=row["report_id"],
            description=description,
            unit=rate["unit"],
            note=None,
        )


def _pick(index: dict[Key, list[Row]], report_id: str, where: dict[str, Any]) -> Row | None:
    """The one figure of a report that `where` describes (None if none or several)."""
    rows = [
        row
        for row in index.get((report_id, where["table_name"], where["metric"]), ())
        if all(row[column] == value for column, value in where.items())
    ]
    return rows[0] if len(rows) == 1 else None


def cross_check_rows(
    checks: list[dict[str, Any]], figures: pd.DataFrame, registry: Registry
) -> Iterable[AuditRow]:
    """Relations across tables or with outside constants, per report that has the figures.
    Values are compared in base units (FLOP, USD, count …)."""
    unit_factors = registry.unit_factors
    figures = figures.assign(_factor=figures["unit"].map(unit_factors))
    # The figures the checks name, by (report, table, metric): one pass over the figures
    # rather than a scan of all of them per report and check.
    wheres = [w for c in checks for w in (c["stated"], *c["inputs"].values())]
    named = figures[
        pd.Series(
            list(zip(figures["table_name"], figures["metric"], strict=True)), index=figures.index
        ).isin({(w["table_name"], w["metric"]) for w in wheres})
    ]
    columns = sorted(
        {"figure_id", "report_id", "value", "unit", "_factor", "value_qualifier", "value_decimals"}
        | {column for w in wheres for column in w}
    )
    index: dict[Key, list[Row]] = {}
    for row in rows_of(named, columns):
        index.setdefault((row["report_id"], row["table_name"], row["metric"]), []).append(row)
    for check in checks:
        tree = parse_formula(check["expression"])
        constants = {k: float(c["value"]) for k, c in check.get("constants", {}).items()}
        for report_id in sorted(figures["report_id"].unique()):
            stated = _pick(index, report_id, check["stated"])
            picked = {k: _pick(index, report_id, w) for k, w in check["inputs"].items()}
            inputs = {k: v for k, v in picked.items() if v is not None}
            if stated is None or len(inputs) < len(picked):
                continue
            names = {k: interval_of(v, base=True) for k, v in inputs.items()}
            names |= {k: Interval.exact(v) for k, v in constants.items()}
            recomputed = evaluate(tree, names)
            point = evaluate(
                tree, {**{k: v["value"] * v["_factor"] for k, v in inputs.items()}, **constants}
            )
            instance = Relation(
                stated_row=stated["figure_id"],
                input_rows=[v["figure_id"] for v in inputs.values()],
                stated=interval_of(stated, base=True),
                recomputed=recomputed,
                stated_value=stated["value"] * stated["_factor"],
                recomputed_value=point,
                description=check["description"],
                slack=abs(point) * float(check.get("relative_tolerance", 0)),
            )
            yield AuditRow.from_relation(
                instance,
                check_id=f"{CROSS_CHECK}:{check['id']}:{report_id}",
                relation=CROSS_CHECK,
                table_name=stated["table_name"],
                report_id=report_id,
                description=check["description"],
                unit=registry.base_units[stated["unit"]],
                note=check.get("note"),
            )


# stated and recomputed are kept to 12 significant digits (value_base has 12), abs_diff and
# tolerance to the same decimal place as the larger of the two: no float noise of a product or
# of a difference of two nearly equal numbers in FLOPS or USD, and a slip of 10^18 keeps both
# of its sides (3 FLOPS stated, 3×10^18 recomputed)
SIGNIFICANT_DIGITS = 12


def _decimals(magnitude: float) -> int:
    """Decimal places that keep SIGNIFICANT_DIGITS of a number of this size."""
    return SIGNIFICANT_DIGITS - 1 - (math.floor(math.log10(magnitude)) if magnitude else 0)


def _at_row_precision(record: dict[str, Any]) -> dict[str, Any]:
    sides = [abs(record["stated"]), abs(record["recomputed"])]
    if not all(map(math.isfinite, sides)):
        return record
    places = {"stated": _decimals(sides[0]), "recomputed": _decimals(sides[1])}
    places["abs_diff"] = places["tolerance"] = _decimals(max(sides))
    return {
        **record,
        **{k: round(record[k], d) for k, d in places.items() if math.isfinite(record[k])},
    }


def ruled_tables(registry: Registry) -> list[str]:
    """The figures tables with rules: the `raw.<table>` tables the audit reads."""
    return [s.name for s in registry.tables.values() if s.kind == FIGURES and s.rules]


def report_consistency(
    registry: Registry, figures: pd.DataFrame, raw: Mapping[str, pd.DataFrame], cagr: pd.DataFrame
) -> pd.DataFrame:
    """The rows of marts.report_consistency: every relation of the three families. `raw`
    holds `raw.<table>` of each of `ruled_tables`, `cagr` is marts.cagr; a raw row's
    figure id is the figure of the same source file and line."""
    by_line = figures.set_index(["source_file", "source_line"])["figure_id"]
    rows: list[AuditRow] = []
    for name in ruled_tables(registry):
        loaded = raw[name]
        lines = pd.MultiIndex.from_frame(loaded[["source_file", "source_line"]])
        ids = pd.Series(by_line.reindex(lines).to_numpy(), index=loaded.index)
        rows += table_rule_rows(registry, registry.tables[name], loaded, ids)
    rows += cagr_rows(cagr, figures)
    rows += cross_check_rows(list(registry.cross_checks), figures, registry)
    return audit_frame(rows)


def audit_frame(rows: Iterable[AuditRow]) -> pd.DataFrame:
    records = [_at_row_precision({**asdict(r), "ok": OK if r.ok else MISMATCH}) for r in rows]
    frame = (
        pd.DataFrame(records).set_axis(COLUMNS, axis=1)
        if records
        else pd.DataFrame(columns=COLUMNS)
    )
    return frame.sort_values("check_id").reset_index(drop=True)
