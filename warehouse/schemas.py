"""pandera schemas generated from the table registry, and validation with them.

A figures file has a fixed set of columns (below) plus the dimensions its table declares; the
table's entry in `tables.yaml` supplies the vocabulary (entities, metrics, units, bounds) and
the cross-row rules. Records and reference files declare their columns one by one. Cells are
prepared and typed in `cells`; what a failure reports is built in `problems`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from warehouse.cells import BOOLEAN_TEXT, DECIMALS, prepared, typed
from warehouse.documents import DOCUMENT_COLUMNS
from warehouse.figure_columns import FIGURE_COLUMNS
from warehouse.problems import SourceValidationError, schema_problems
from warehouse.registry import (
    DOCUMENTS,
    FIGURES,
    REFERENCE,
    ColumnSpec,
    Registry,
    TableSpec,
    described,
)
from warehouse.rules import describe, rule_check
from warehouse.source_files import SOURCE_FILE, SOURCE_LINE

_ONE_PERIOD = (
    r"(?:FY\d{4}(?:H[12]|Q[1-4])?"  # a fiscal period: fiscal_calendars.csv dates it
    r"|\d{4}(?:H[12]|Q[1-4]|-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?)"
)
PERIOD_PATTERN = rf"^{_ONE_PERIOD}(?:/{_ONE_PERIOD})?$"
SECTION_PATTERN = r"^\d+(?:\.\d+)*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
PLAUSIBLE_YEARS = (1990, 2050)
QUALIFIERS = ("=", "~", ">", ">=", "<", "<=")

PROVENANCE_COLUMNS = ("report_id", SOURCE_FILE, SOURCE_LINE)
# Text columns carry no pandera dtype: every cell is read as text (source_files.py), and the
# per-element str check cost ~11 s of a 1,000-report refresh while proving nothing new.
TEXT = None
QUOTE_PAGE, QUOTE_LINE = "page", "doc_line"  # derived: where the row's quote starts in its document
BOUND_TEXT = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
BOUND_CHECKS = {"gt": pa.Check.gt, "ge": pa.Check.ge, "lt": pa.Check.lt, "le": pa.Check.le}


def _years_plausible(series: pd.Series) -> pd.Series:
    low, high = PLAUSIBLE_YEARS
    return series.astype(str).map(
        lambda text: all(low <= int(y) <= high for y in re.findall(r"\d{4}", text))
    )


def _period_checks() -> list[pa.Check]:
    return [
        pa.Check.str_matches(
            PERIOD_PATTERN,
            error="must be a period like 2022, 2022H1, "
            "2022Q3, 2022-11, 2022-11-30, a fiscal period FY2023Q2 or an interval like 2021/2026",
        ),
        pa.Check(
            _years_plausible,
            element_wise=False,
            error=f"years must lie between {PLAUSIBLE_YEARS[0]} and {PLAUSIBLE_YEARS[1]}",
        ),
    ]


def _within(frame: pd.DataFrame, metric: str, compare: np.ufunc, limit: float) -> pd.Series:
    """Rows of `metric` respect the bound; unparsable values are the dtype check's to report."""
    values = pd.to_numeric(frame["value"], errors="coerce")
    return (frame["metric"] != metric) | values.isna() | compare(values, limit)


def _finite(series: pd.Series) -> pd.Series:
    return ~pd.to_numeric(series, errors="coerce").isin([np.inf, -np.inf])


def _guarded(needs: tuple[str, ...], check: Callable[[pd.DataFrame], pd.Series]):
    """A frame-level check that stays quiet when a column it needs is missing: the missing
    column is reported once, by the schema, rather than as a crash inside a rule."""

    @functools.wraps(check)
    def run(frame: pd.DataFrame) -> pd.Series | bool:
        if any(column not in frame.columns for column in needs):
            return True
        passed = check(frame)
        # A plain True when every row passes: pandera then skips its per-check bookkeeping
        # over the whole frame (an all-NA scan and failure-case collection, ~10 ms a check,
        # with dozens of checks per table), and still gets the rows when some fail.
        return True if passed.all() else passed

    return run


@dataclass(frozen=True)
class TableSchema:
    """The pandera schema of a table plus, for each frame-level check, the column it is about
    (pandera reports frame-level failures once per column; we keep the one that matters)."""

    spec: TableSpec
    schema: pa.DataFrameSchema
    focus: dict[str, str | None]
    expected_columns: tuple[str, ...]
    numeric_columns: tuple[str, ...]
    boolean_columns: tuple[str, ...]
    date_columns: tuple[str, ...]


def _frame_check(
    checks: list[pa.Check],
    focus: dict[str, str | None],
    column: str,
    needs: tuple[str, ...],
    error: str,
    fn: Callable[[pd.DataFrame], pd.Series],
) -> None:
    checks.append(pa.Check(_guarded(needs, fn), error=error))
    focus[error] = column


def _figures_columns(spec: TableSpec, registry: Registry) -> dict[str, pa.Column]:
    columns = {
        dim: pa.Column(TEXT, pa.Check.isin(values, error=f"must be one of {list(values)}"))
        for dim, values in spec.dimensions.items()
    }
    entity_checks = [
        pa.Check.str_matches(r"^[a-z0-9]+(?:_[a-z0-9]+)*$", error="must be a snake_case English id")
    ]
    if spec.entities:
        entity_checks.append(
            pa.Check.isin(
                spec.entities, error=f"must be one of the table's entities {list(spec.entities)}"
            )
        )
    columns |= {
        "entity": pa.Column(TEXT, entity_checks),
        "entity_zh": pa.Column(TEXT, pa.Check.str_length(min_value=1)),
        "metric": pa.Column(
            TEXT,
            pa.Check.isin(
                list(spec.metrics), error=f"must be one of the table's metrics {list(spec.metrics)}"
            ),
        ),
        "period": pa.Column(TEXT, _period_checks()),
        "value": pa.Column(float, pa.Check(_finite, error="must be a finite number")),
        "unit": pa.Column(
            TEXT, pa.Check.isin(sorted(registry.units), error="must be a unit listed in units.csv")
        ),
        "value_qualifier": pa.Column(
            TEXT, pa.Check.isin(QUALIFIERS, error=f"must be one of {list(QUALIFIERS)}")
        ),
        "is_forecast": pa.Column(TEXT, pa.Check.isin(BOOLEAN_TEXT, error="must be true or false")),
        "section": pa.Column(
            TEXT, pa.Check.str_matches(SECTION_PATTERN, error="must be a section number like 1.3")
        ),
        "data_source": pa.Column(
            TEXT,
            pa.Check.isin(
                sorted(registry.data_sources),
                error="must be a data_source listed in data_sources.csv",
            ),
        ),
        "note": pa.Column(TEXT, nullable=True),
        "quote": pa.Column(TEXT, nullable=True),  # checked against the document (quotes.py)
        DECIMALS: pa.Column("Int64", nullable=True),
    }
    return columns


def _figures_checks(
    spec: TableSpec,
    factors: dict[str, float],
    checks: list[pa.Check],
    focus: dict[str, str | None],
) -> None:
    dims = list(spec.dimensions)
    for metric in spec.metrics.values():
        units = list(metric.units)
        _frame_check(
            checks,
            focus,
            "unit",
            ("metric", "unit"),
            f"the unit of '{metric.name}' must be one of {units}",
            lambda f, m=metric.name, u=units: (f["metric"] != m) | f["unit"].isin(u),
        )
        for bound, limit in metric.bounds.items():
            compare = {
                "gt": np.greater,
                "ge": np.greater_equal,
                "lt": np.less,
                "le": np.less_equal,
            }[bound]
            _frame_check(
                checks,
                focus,
                "value",
                ("metric", "value"),
                f"'{metric.name}' must be {BOUND_TEXT[bound]} {limit:g}",
                lambda f, m=metric.name, c=compare, x=limit: _within(f, m, c, x),
            )
    _frame_check(
        checks,
        focus,
        "entity_zh",
        ("entity", "entity_zh"),
        "each entity has one Chinese name and each Chinese name one entity",
        lambda f: (
            (f.groupby("entity")["entity_zh"].transform("nunique") == 1)
            & (f.groupby("entity_zh")["entity"].transform("nunique") == 1)
        ),
    )
    for rule in spec.rules:
        if rule.params.get("audit_only"):
            continue
        _frame_check(
            checks,
            focus,
            "value",
            ("metric", "value", "entity", "period", *dims),
            describe(rule.rule, rule.params),
            lambda f, r=rule: rule_check(f, dims, r.rule, r.params, factors),
        )


def _declared_column(column: ColumnSpec) -> pa.Column:
    checks = [
        BOUND_CHECKS[b](v, error=f"must be {BOUND_TEXT[b]} {v:g}") for b, v in column.bounds.items()
    ]
    if column.isin is not None:
        checks.append(pa.Check.isin(column.isin, error=f"must be one of {list(column.isin)}"))
    if column.regex:
        checks.append(pa.Check.str_matches(column.regex, error=f"must match {column.regex}"))
    dtype = {"float": float, "int": "Int64"}.get(column.dtype, TEXT)
    if column.dtype == "bool":
        checks.append(pa.Check.isin(BOOLEAN_TEXT, error="must be true or false"))
    elif column.dtype == "date":
        checks.append(pa.Check.str_matches(DATE_PATTERN, error="must be a date YYYY-MM-DD"))
    elif column.dtype == "period":
        checks.extend(_period_checks())
    return pa.Column(dtype, checks, nullable=column.nullable, description=column.description)


def build_schema(spec: TableSpec, registry: Registry) -> TableSchema:
    """The pandera schema of one table, as declared in `tables.yaml`."""
    checks: list[pa.Check] = []
    focus: dict[str, str | None] = {}
    if spec.kind == FIGURES:
        columns = _figures_columns(spec, registry)
        _figures_checks(spec, registry.unit_factors, checks, focus)
        key = [*spec.dimensions, "entity", "metric", "period"]
        numeric, booleans, dates = ("value",), ("is_forecast",), ()
    else:
        columns = {name: _declared_column(c) for name, c in spec.columns.items()}
        key = list(spec.key)
        numeric = tuple(n for n, c in spec.columns.items() if c.dtype in ("float", "int"))
        booleans = tuple(n for n, c in spec.columns.items() if c.dtype == "bool")
        dates = tuple(n for n, c in spec.columns.items() if c.dtype == "date")
    expected = tuple(c for c in columns if c != DECIMALS)
    if spec.kind != REFERENCE:
        columns["report_id"] = pa.Column(TEXT, pa.Check.isin(sorted(registry.report_ids)))
        key = ["report_id", *key]
    columns[SOURCE_FILE] = pa.Column(TEXT)
    columns[SOURCE_LINE] = pa.Column(int)
    if key:
        _frame_check(
            checks,
            focus,
            key[-1],
            tuple(key),
            f"the key ({', '.join(key)}) must be unique: it appears on another line too",
            lambda f, k=key: ~f.duplicated(k, keep=False),
        )
    not_empty = "the table must have at least one row"
    checks.append(pa.Check(lambda f: len(f) > 0, error=not_empty))
    focus[not_empty] = None
    schema = pa.DataFrameSchema(
        columns,
        checks=checks,
        strict=True,
        coerce=True,
        name=spec.name,
        description=spec.description,
    )
    return TableSchema(spec, schema, focus, expected, numeric, booleans, dates)


def validate(frame: pd.DataFrame, table: TableSchema) -> pd.DataFrame:
    """The typed, validated frame, or SourceValidationError listing every problem."""
    frame = prepared(frame, table.numeric_columns, figures=table.spec.kind == FIGURES)
    try:
        valid = table.schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as error:
        problems = schema_problems(error, frame, table.focus, table.spec.name)
        raise SourceValidationError(table.spec.name, problems) from None
    return typed(valid, table.boolean_columns, table.date_columns)


def column_docs(spec: TableSpec, registry: Registry) -> dict[str, str]:
    """Column documentation stored with the table (COMMENT ON COLUMN) and shown in the UI:
    a records or reference table's own, the shared figure and provenance columns' from
    `figure_columns:` in tables.yaml, a dimension's from its declared values."""
    declared = {name: c.description for name, c in spec.columns.items()}
    if spec.kind == DOCUMENTS:
        return described(declared, DOCUMENT_COLUMNS, f"table '{spec.name}'")
    shared = registry.figure_column_docs

    def figure_docs(names: tuple[str, ...]) -> dict[str, str]:
        return described(shared, names, "figure_columns")

    docs = figure_docs(PROVENANCE_COLUMNS)
    if spec.kind == FIGURES:
        docs |= {
            dim: f"Dimension: one of {list(values)}." for dim, values in spec.dimensions.items()
        }
        docs |= figure_docs((*FIGURE_COLUMNS, DECIMALS, QUOTE_PAGE, QUOTE_LINE))
    else:
        docs |= {name: doc for name, doc in declared.items() if doc}
        if spec.quoted:
            docs |= figure_docs((QUOTE_PAGE, QUOTE_LINE))
    if spec.kind == REFERENCE:
        docs.pop("report_id")
    return docs
