"""Validation problems a person can act on: which file, line and column break which rule,
with the value as written. pandera's failure cases and a file's header are translated here,
so every message of a refused load reads the same way."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa

from warehouse.source_files import SOURCE_FILE, SOURCE_LINE


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place: what a person needs to fix the file."""

    file: str
    line: int | None
    column: str | None
    value: object
    rule: str

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line is not None else "")
        what = f", column '{self.column}'" if self.column else ""
        value = "" if self.value is None else f": value {self.value!r}"
        return f"{where}{what}{value}: {self.rule}"


class SourceValidationError(ValueError):
    """A table's source files break its schema; nothing of the table is loaded."""

    def __init__(self, table: str, problems: list[Problem]):
        self.table, self.problems = table, problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"table '{table}': {len(problems)} problem(s) in its source files\n{shown}{more}"
        )


def header_problems(header: list[str], file: str, expected: tuple[str, ...]) -> list[Problem]:
    """Missing and unexpected columns of one file, with the likely intended name."""
    present = [c for c in header if c not in (SOURCE_FILE, SOURCE_LINE)]
    problems = []
    for column in expected:
        if column not in present:
            problems.append(Problem(file, 1, column, None, "required column is missing"))
    for column in present:
        if column not in expected:
            guess = difflib.get_close_matches(column, expected, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            problems.append(
                Problem(
                    file, 1, column, None, f"unexpected column{hint}; expected {list(expected)}"
                )
            )
    return problems


def _describe(check: str) -> str:
    if check.startswith("coerce_dtype") or check.startswith("dtype("):
        return "must be a number (plain digits; the unit goes in 'unit')"
    if check == "not_nullable":
        return "must not be empty"
    return check


def schema_problems(
    error: pa.errors.SchemaErrors, frame: pd.DataFrame, focus: Mapping[str, str | None], table: str
) -> list[Problem]:
    """pandera's failure cases as problems at file and line, each once, sorted: a frame-level
    check is reported for the column `focus` names for it, a row's value as it was written."""
    return sorted(
        set(_failure_problems(error, frame, focus, table)),
        key=lambda p: (p.file, p.line or 0, p.column or "", p.rule),
    )


def _failure_problems(
    error: pa.errors.SchemaErrors, frame: pd.DataFrame, focus: Mapping[str, str | None], table: str
) -> Iterator[Problem]:
    cases = error.failure_cases
    seen: set[tuple[Any, Any]] = set()
    for case in cases.itertuples(index=False):
        check, column, index = str(case.check), case.column, case.index
        if check in focus and focus[check] not in (None, column):
            continue
        if check.startswith("dtype(") and (column, index) in seen:
            continue
        seen.add((column, index))
        if index is None or pd.isna(index):
            about = None if check in focus else column
            yield Problem(f"table {table}", None, about, None, _describe(check))
            continue
        row = frame.loc[index]
        written = row[column] if column in frame.columns else case.failure_case
        yield Problem(
            str(row[SOURCE_FILE]),
            int(row[SOURCE_LINE]),
            column,
            None if pd.isna(written) else written,
            _describe(check),
        )
