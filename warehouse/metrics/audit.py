"""The arithmetic audit: every relation the report's figures must satisfy, recomputed.

Three families of relations, each instance a `rules.Relation`, so one rule decides whether a
stated figure agrees with its recomputation within printed rounding, at load and here:
- the table rules of `sources/tables.yaml` (totals, growth rates, shares, formulas such as
  each step of the GPU model, unit slips), including the `audit_only` ones the report breaks;
- stated CAGRs against their endpoints (from `marts.cagr`);
- cross-checks between tables and against outside facts (`cross_checks` in tables.yaml).

A fourth kind has no arithmetic: `readings` in tables.yaml are places where the report's
words contradict each other (a heading naming the wrong company, two release dates), each
with the quotes that show it; the quotes are checked against the report's document here, so a
reading cannot point at text the report does not print.

A mismatch is a finding about the report, not a failure of the pipeline. Every row carries
the quotes it rests on: a reading's own, else those of the figures in `input_ids`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from warehouse.documents import QuoteIndex
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
    rule_columns,
)

OK, MISMATCH = "ok", "mismatch"
CAGR, CROSS_CHECK, READING = "cagr", "cross_check", "reading"
# every kind of relation the audit recomputes: the table rules, then the two of its own
# (readings are not recomputed: they are findings by definition, and have no asset check)
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
    unit: str | None  # of stated and recomputed: the stated figure's, or its base unit
    abs_diff: float
    tolerance: float
    ok: bool
    note: str | None
    input_ids: list[str]
    quotes: tuple[str, ...] = ()  # a reading's own; for the others, the input figures' quotes

    @classmethod
    def from_relation(
        cls,
        instance: Relation,
        *,
        check_id: str,
        relation: str,
        table_name: str,
        report_id: str,
        unit: str,
        note: str | None,
        description: str | None = None,
        figure_id: Callable[[Hashable], str] = str,
    ) -> AuditRow:
        """The row of one relation instance, described as the instance is unless `description`
        says more; its rows become figure ids through `figure_id` (an instance of a table rule
        names rows of `raw.<table>`, the others figure ids)."""
        return cls(
            check_id,
            relation,
            table_name,
            report_id,
            instance.description if description is None else description,
            instance.stated_value,
            instance.recomputed_value,
            unit,
            instance.abs_diff,
            instance.tolerance,
            instance.ok,
            note,
            [figure_id(row) for row in (instance.stated_row, *instance.input_rows)],
        )


# the table's columns: the row's fields, with `status` (ok | mismatch) in place of `ok`, and
# input_ids last (marts.metric_inputs unnests it)
COLUMNS = [
    *(("status" if f.name == "ok" else f.name) for f in fields(AuditRow) if f.name != "input_ids"),
    "input_ids",
]


def table_rule_rows(
    registry: Registry, spec: TableSpec, raw: pd.DataFrame, figure_ids: pd.Series
) -> Iterable[AuditRow]:
    """One row per instance of each rule of one table (`raw` is `raw.<table>`,
    `figure_ids` maps its index to `marts.fct_report_figures.figure_id`)."""
    # by index label, as dicts: a pandas lookup per relation cost ~10 µs (and Series.to_dict
    # boxes every value on its own)
    labels = raw.index.tolist()
    ids = dict(zip(figure_ids.index.tolist(), figure_ids.tolist(), strict=True))
    units = dict(zip(labels, raw["unit"].astype(str).tolist(), strict=True))
    reports = dict(zip(labels, raw["report_id"].astype(str).tolist(), strict=True))
    for rule in spec.rules:
        params = rule.params  # `relations` leaves out note and audit_only itself
        for relation in relations(
            raw, list(spec.dimensions), rule.rule, params, registry.unit_factors
        ):
            unit = units[relation.stated_row]
            yield AuditRow.from_relation(
                relation,
                check_id=f"{rule.rule}:{ids[relation.stated_row]}",
                relation=rule.rule,
                table_name=spec.name,
                report_id=reports[relation.stated_row],
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
        instance = Relation(
            stated_row=row["stated_figure_id"],
            input_rows=[row["start_figure_id"], row["end_figure_id"]],
            stated=interval_of(rate),
            recomputed=((interval_of(end) / interval_of(start)) ** (1 / row["years"]) - 1) * 100,
            stated_value=rate["value"],
            recomputed_value=row["cagr_pct"],
            description=f"stated CAGR of {row['series']} {row['start_period']}→"
            f"{row['end_period']} vs its endpoints",
        )
        yield AuditRow.from_relation(
            instance,
            check_id=f"{CAGR}:{row['stated_figure_id']}",
            relation=CAGR,
            table_name=row["table_name"],
            report_id=row["report_id"],
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
    Values are compared in base units (FLOP, USD, count …).

    Options of a check: `compare: at_least` (the stated figure may exceed what the inputs
    give, as servers must hold every GPU), `exact: true` (the figures are counts or
    definitions, not rounded: no rounding tolerance), `context` (figures the relation is about
    that its expression does not use, such as the 连续三年翻倍 a growth rate must match; each
    must be present and is listed in input_ids)."""
    # The figures the checks name, by (report, table, metric): one pass over the figures
    # rather than a scan of all of them per report and check.
    wheres = _selectors(checks)
    pairs = pd.MultiIndex.from_arrays([figures["table_name"], figures["metric"]])
    named = figures[pairs.isin({(w["table_name"], w["metric"]) for w in wheres})]
    named = named.assign(_factor=named["unit"].map(registry.unit_factors))
    report_ids = sorted(figures["report_id"].unique())
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
        exact = bool(check.get("exact"))
        for report_id in report_ids:
            stated = _pick(index, report_id, check["stated"])
            wanted = {**check["inputs"], **_context(check)}
            picked = {k: _pick(index, report_id, w) for k, w in wanted.items()}
            found = {k: v for k, v in picked.items() if v is not None}
            if stated is None or len(found) < len(picked):
                continue
            inputs = {k: v for k, v in found.items() if k in check["inputs"]}
            names = {k: interval_of(v, base=True, exact=exact) for k, v in inputs.items()}
            names |= {k: Interval.exact(v) for k, v in constants.items()}
            recomputed = evaluate(tree, names)
            if not isinstance(recomputed, Interval):  # a constant expression ("100")
                recomputed = Interval.exact(float(recomputed))
            point = evaluate(
                tree, {**{k: v["value"] * v["_factor"] for k, v in inputs.items()}, **constants}
            )
            instance = Relation(
                stated_row=stated["figure_id"],
                input_rows=[v["figure_id"] for v in found.values()],
                stated=interval_of(stated, base=True, exact=exact),
                recomputed=recomputed,
                stated_value=stated["value"] * stated["_factor"],
                recomputed_value=point,
                description=check["description"],
                slack=abs(point) * float(check.get("relative_tolerance", 0)),
                # at least: the stated figure bounds what the inputs give from above
                at_most=check.get("compare") == "at_least",
            )
            yield AuditRow.from_relation(
                instance,
                check_id=f"{CROSS_CHECK}:{check['id']}:{report_id}",
                relation=CROSS_CHECK,
                table_name=stated["table_name"],
                report_id=report_id,
                unit=registry.base_units[stated["unit"]],
                note=check.get("note"),
            )


def _context(check: dict[str, Any]) -> dict[str, Any]:
    return check.get("context") or {}


def _selectors(checks: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every figure selector of the cross-checks: stated, inputs and context."""
    return [w for c in checks for w in (c["stated"], *c["inputs"].values(), *_context(c).values())]


# the columns of marts.fct_report_figures the audit reads, besides those its selectors name
FIGURE_COLUMNS = (
    "figure_id",
    "report_id",
    "table_name",
    "metric",
    "unit",
    "value",
    "value_qualifier",
    "value_decimals",
    "quote",
    "source_file",
    "source_line",
)


def figure_columns(registry: Registry) -> list[str]:
    """What `report_consistency` needs of marts.fct_report_figures: FIGURE_COLUMNS and every
    column a cross-check or a reading selects figures by."""
    wheres = _selectors(registry.cross_checks)
    wheres += [w for reading in registry.readings for w in reading.get("figures") or ()]
    return list(dict.fromkeys([*FIGURE_COLUMNS, *(column for w in wheres for column in w)]))


def reading_rows(
    readings: list[dict[str, Any]], documents: Mapping[str, QuoteIndex], figures: pd.DataFrame
) -> Iterable[AuditRow]:
    """The report's words that contradict each other, as a reviewer read them: one row per
    reading, always a mismatch (it is listed because it is one), with no arithmetic. Every
    quote must be in its report's document (compared without whitespace, as a figure's quote
    is); `figures` (selectors as in cross_checks) name the figures it is about. A reading of a
    report this warehouse does not hold (no document in `documents`) has no row."""
    figure_rows: dict[str, list[dict[str, Any]]] = {}
    read = figures[figures["report_id"].isin({str(r["report_id"]) for r in readings})]
    for row in rows_of(read, [str(c) for c in figures.columns]):  # only the read reports
        figure_rows.setdefault(row["report_id"], []).append(row)
    for reading in readings:
        report_id = str(reading["report_id"])
        document = documents.get(report_id)
        if document is None:
            continue
        quotes = tuple(str(q) for q in reading["quotes"])
        missing = [q for q in quotes if document.find(q) is None]
        if missing:
            raise ValueError(
                f"tables.yaml: reading {reading['id']!r}: quote {missing[0]!r} is not in the "
                f"document of report {report_id!r}"
            )
        ids = [
            row["figure_id"]
            for where in reading.get("figures") or ()
            for row in figure_rows.get(report_id, ())
            if all(row[k] == v for k, v in where.items())
        ]
        yield AuditRow(
            f"{READING}:{reading['id']}:{report_id}",
            READING,
            str(reading["table_name"]),
            report_id,
            str(reading["description"]),
            math.nan,
            math.nan,
            None,
            math.nan,
            math.nan,
            False,
            reading.get("note"),
            ids,
            quotes,
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


def raw_columns(spec: TableSpec) -> list[str]:
    """The columns of `raw.<table>` the audit reads: its rules', and where each row is from."""
    return [*rule_columns(spec.dimensions), "source_file", "source_line"]


def ruled_tables(registry: Registry) -> list[str]:
    """The figures tables with rules: the `raw.<table>` tables the audit reads."""
    return [s.name for s in registry.tables.values() if s.kind == FIGURES and s.rules]


def report_consistency(
    registry: Registry,
    figures: pd.DataFrame,
    raw: Mapping[str, pd.DataFrame],
    cagr: pd.DataFrame,
    documents: Mapping[str, QuoteIndex],
) -> pd.DataFrame:
    """The rows of marts.report_consistency: every relation of the three families, and the
    readings. `raw` holds `raw.<table>` of each of `ruled_tables`, `cagr` is marts.cagr,
    `documents` the report documents the readings quote; a raw row's figure id is the figure
    of the same source file and line."""
    by_line = figures.set_index(["source_file", "source_line"])["figure_id"]
    rows: list[AuditRow] = []
    for name in ruled_tables(registry):
        loaded = raw[name]
        lines = pd.MultiIndex.from_frame(loaded[["source_file", "source_line"]])
        ids = pd.Series(by_line.reindex(lines).to_numpy(), index=loaded.index)
        rows += table_rule_rows(registry, registry.tables[name], loaded, ids)
    rows += cagr_rows(cagr, figures)
    rows += cross_check_rows(list(registry.cross_checks), figures, registry)
    rows += reading_rows(list(registry.readings), documents, figures)
    return audit_frame(rows, dict(zip(figures["figure_id"], figures["quote"], strict=True)))


def audit_frame(
    rows: Iterable[AuditRow], quote_of: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The rows as marts.report_consistency; `quote_of` (figure_id -> quote) gives a row
    without quotes of its own those of its input figures."""
    quote_of = quote_of or {}

    def quotes(row: AuditRow) -> list[str]:
        found = row.quotes or tuple(quote_of[i] for i in row.input_ids if quote_of.get(i))
        return list(dict.fromkeys(found))

    # vars(), not asdict(): asdict deep-copies every field, seconds at 1,000 reports
    records = [
        _at_row_precision({**vars(r), "ok": OK if r.ok else MISMATCH, "quotes": quotes(r)})
        for r in rows
    ]
    frame = (
        pd.DataFrame(records).rename(columns={"ok": "status"})[COLUMNS]
        if records
        else pd.DataFrame(columns=COLUMNS)
    )
    return frame.sort_values("check_id").reset_index(drop=True)
