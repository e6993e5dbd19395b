"""A document's mentions set beside its report's curated figures: which mention states which
figure, what the curated tables leave out, and the draft rows a person reviews to add it.

The curated figures come from the published warehouse (`marts.fct_report_figures`), so a
draft is made against what the pipeline validated; nothing here writes to `sources/`.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.extraction.matching import CuratedFigure, match_figures
from warehouse.extraction.mentions import FIGURE, SECTION_NUMBER, Mention, MentionColumns
from warehouse.figure_columns import FIGURE_COLUMNS
from warehouse.relations import FIGURES_MART
from warehouse.store import connect_readonly

TRANSCRIBED, UNTRANSCRIBED, NOT_A_FIGURE = "transcribed", "untranscribed", "not_a_figure"
FOUND, NOT_FOUND = "found", "not_found"
MENTION_COLUMNS = (
    "line",
    "page",
    "value",
    "value_as_printed",
    "unit",
    "period",
    "is_forecast",
    "qualifier",
    "kind",
    "quote",
)
# A draft row has a figures table's columns (sources/README.md), entity and metric left for
# the analyst, then where the mention is, so a reviewer can find it in the document.
DRAFT_COLUMNS = (*FIGURE_COLUMNS, "doc_line", "page")

_FIGURE_FIELDS = "figure_id, CAST(value AS DOUBLE), period, value_qualifier, is_forecast, quote"
_FIGURES_SQL = f"""
SELECT {_FIGURE_FIELDS}
FROM {FIGURES_MART} WHERE report_id = ? ORDER BY source_file, source_line
"""
# every report's, grouped by report: one scan of the mart rather than one per report
ALL_FIGURES_SQL = f"""
SELECT report_id, {_FIGURE_FIELDS}
FROM {FIGURES_MART} ORDER BY report_id, source_file, source_line
"""


def read_curated_figures(
    con: duckdb.DuckDBPyConnection, report_id: str
) -> tuple[CuratedFigure, ...]:
    """The report's curated figures in the warehouse `con` reads (none for a report not yet
    transcribed)."""
    return tuple(map(CuratedFigure._make, con.execute(_FIGURES_SQL, [report_id]).fetchall()))


def curated_figures(report_id: str, path: Path | None = None) -> tuple[CuratedFigure, ...]:
    """`read_curated_figures` from the published warehouse."""
    con = connect_readonly(path)
    try:
        return read_curated_figures(con, report_id)
    finally:
        con.close()


@dataclass(frozen=True)
class Coverage:
    """Each mention's status and figure_id, and each curated figure's mention (or None)."""

    statuses: list[str]
    figure_ids: list[str | None]
    found: dict[str, int | None]

    @property
    def found_share(self) -> float:
        return sum(v is not None for v in self.found.values()) / max(1, len(self.found))


def coverage(text: str, mentions: MentionColumns, figures: Sequence[CuratedFigure]) -> Coverage:
    """How the mentions of a document whose text without whitespace is `text` cover the
    curated figures."""
    matched = match_figures(text, mentions, figures)
    by_mention: dict[int, str] = {}
    for figure_id, index in matched.items():
        by_mention.setdefault(index, figure_id)
    statuses = [UNTRANSCRIBED if kind == FIGURE else NOT_A_FIGURE for kind in mentions.kind]
    figure_ids: list[str | None] = [None] * mentions.size
    for index, figure_id in by_mention.items():
        statuses[index], figure_ids[index] = TRANSCRIBED, figure_id
    return Coverage(statuses, figure_ids, {f.figure_id: matched.get(f.figure_id) for f in figures})


_MENTION_FIELDS = operator.attrgetter(*MENTION_COLUMNS)
_VALUE = MENTION_COLUMNS.index("value")


def mention_row(mention: Mention) -> tuple[object, ...]:
    """The mention's printed columns; a whole number prints without a decimal point."""
    row = _MENTION_FIELDS(mention)
    value = mention.value
    if value.is_integer() and abs(value) < 1e15:
        return (*row[:_VALUE], int(value), *row[_VALUE + 1 :])
    return row


def _printed_value(mention: Mention) -> str:
    """The value as a figures table writes it: the number in the unit as printed."""
    return f"{mention.value:.10g}" if abs(mention.value) < 1e15 else f"{mention.value:.6e}"


def draft_rows(mentions: Sequence[Mention], statuses: Sequence[str]) -> list[tuple[object, ...]]:
    """The untranscribed figures as rows of a figures table, for a person to complete (entity,
    metric, data source) and check against the quote before they go into a table file. The
    section is the last section number printed before the mention."""
    rows: list[tuple[object, ...]] = []
    section = ""
    for mention, status in zip(mentions, statuses, strict=True):
        if mention.kind == SECTION_NUMBER and "." in mention.value_as_printed:
            section = mention.value_as_printed
        if status != UNTRANSCRIBED:
            continue
        rows.append(
            (
                "",
                "",
                "",
                mention.period,
                _printed_value(mention),
                mention.unit,
                mention.qualifier,
                "true" if mention.is_forecast else "false",
                section,
                "",
                "",
                mention.quote,
                mention.line,
                mention.page,
            )
        )
    return rows
