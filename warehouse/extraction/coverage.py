"""`marts.report_coverage`: the extractor run on every report document in the warehouse, each
mention set beside the report's curated figures.

It reads what the pipeline loaded (`raw.report_documents`, `raw.report_lines`, the reports'
dates in `raw.reports`, the curated figures in `marts.fct_report_figures`), so it sees the
same text the quote check saw. A report's mentions come from its stored extraction (the
per-report partitions, `warehouse/extraction/stored.py`) when one was made from that same
document, date and code; otherwise they are extracted here and stored the same way, so the
next refresh reads them too (without the partitions, every refresh extracted every document
again: about 0.1 s a report).
"""

from __future__ import annotations

import contextlib
import itertools
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import duckdb
import pandas as pd

from warehouse.documents import Document
from warehouse.extraction.matching import CuratedFigure
from warehouse.extraction.review import ALL_FIGURES_SQL, MENTION_COLUMNS, coverage
from warehouse.extraction.stored import (
    StoredExtraction,
    extract_and_store,
    has_stored_extraction,
    stored_extraction,
)
from warehouse.figures import columns_frame

COVERAGE_COLUMNS = ("report_id", "position", *MENTION_COLUMNS, "status", "figure_id")
# the table's DuckDB types (text unless named here), declared for a table written in batches
_NOT_TEXT = {
    "position": "BIGINT",
    "line": "BIGINT",
    "page": "BIGINT",
    "value": "DOUBLE",
    "is_forecast": "BOOLEAN",
}
COVERAGE_TYPES = {column: _NOT_TEXT.get(column, "VARCHAR") for column in COVERAGE_COLUMNS}
_NUMPY = {"BIGINT": "int64", "DOUBLE": "float64", "BOOLEAN": "bool"}
_ARRAY_TYPES = {c: _NUMPY[t] for c, t in COVERAGE_TYPES.items() if t in _NUMPY}  # else objects
ROWS_PER_BATCH = 50_000
_DOCUMENTS_SQL = """
SELECT d.report_id, d.source_file, d.sha256, d.pages, r.publication_date
FROM raw.report_documents AS d JOIN raw.reports AS r USING (report_id)
ORDER BY d.report_id
"""
_HAS_DOCUMENTS_SQL = """
SELECT count(*) FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'raw'
  AND table_name = 'report_documents'
"""
_LINES_SQL = """
SELECT report_id, page, line, text FROM raw.report_lines
WHERE report_id IN (SELECT unnest($1::VARCHAR[])) ORDER BY report_id, line
"""


class _ByReport:
    """The rows of a query ordered by report_id (its first column), handed out one report at a
    time as the caller asks for reports in the same order; fetched in batches."""

    def __init__(
        self, cursor: duckdb.DuckDBPyConnection, sql: str, parameters: list[object] | None = None
    ):
        cursor.execute(sql, parameters)
        batches = iter(lambda: cursor.fetchmany(10_000), [])
        self._groups = itertools.groupby(itertools.chain.from_iterable(batches), itemgetter(0))
        self._next = next(self._groups, None)

    def take(self, report_id: str) -> list[tuple[Any, ...]]:
        while self._next is not None and self._next[0] < report_id:
            self._next = next(self._groups, None)
        if self._next is None or self._next[0] != report_id:
            return []
        rows = [row[1:] for row in self._next[1]]
        self._next = next(self._groups, None)
        return rows


Batch = dict[str, list[Any]]  # rows of the table by column, COVERAGE_COLUMNS in order


@dataclass
class ReportCoverage:
    """Every mention's row (COVERAGE_COLUMNS: `report_coverage` keeps them, `coverage_batches`
    hands them out by column instead), and the curated figures found and not."""

    rows: list[tuple[object, ...]] = field(default_factory=list)
    curated: int = 0
    not_found: list[str] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)  # reports whose stored extraction was used

    @property
    def found_share(self) -> float:
        return (self.curated - len(self.not_found)) / self.curated if self.curated else 1.0


def report_coverage(con: duckdb.DuckDBPyConnection) -> ReportCoverage:
    """The coverage of every report document the warehouse holds, every row at once."""
    result = ReportCoverage()
    for batch in coverage_batches(con, result):
        result.rows += zip(*batch.values(), strict=True)
    return result


def coverage_batches(
    con: duckdb.DuckDBPyConnection, result: ReportCoverage, rows_per_batch: int = ROWS_PER_BATCH
) -> Iterator[Batch]:
    """The rows of `report_coverage` by column, made one document at a time and handed out
    about `rows_per_batch` at a time (a thousand reports have 700,000: held at once, they were
    the refresh's peak memory); `result` gets the counts, not the rows. No rows in a project
    whose registry declares no documents table."""
    if not (con.execute(_HAS_DOCUMENTS_SQL).fetchone() or (0,))[0]:
        return
    documents = con.execute(_DOCUMENTS_SQL).fetchall()
    unstored = {
        report_id
        for report_id, _, sha256, _, published in documents
        if not has_stored_extraction(report_id, sha256, published)
    }
    batch = _empty_batch()
    # one ordered scan of each table, read in step with the documents (a query per report
    # scanned the whole table each time: seconds at a thousand reports); the text layer
    # only of the reports to extract here, the others' is stored with their mentions
    with contextlib.closing(con.cursor()) as lines, contextlib.closing(con.cursor()) as figures:
        lines_of = _ByReport(lines, _LINES_SQL, [sorted(unstored)])
        figures_of = _ByReport(figures, ALL_FIGURES_SQL)
        for report_id, file, sha256, pages, published in documents:
            curated = tuple(map(CuratedFigure._make, figures_of.take(report_id)))
            extraction = stored_extraction(report_id, sha256, published)
            if extraction is None:
                # (replaced since it was checked, by a partition run: rare, read on its own)
                text_layer = (
                    lines_of.take(report_id)
                    if report_id in unstored
                    else [row[1:] for row in con.execute(_LINES_SQL, [[report_id]]).fetchall()]
                )
                line_pages = array("l", [page for page, _, _ in text_layer])
                texts = tuple(text for *_, text in text_layer)
                document = Document(file, sha256, pages, line_pages, texts)
                extraction = extract_and_store(report_id, document, published)
            else:
                result.stored.append(report_id)
            _add_report(batch, result, report_id, extraction, curated)
            if len(batch["report_id"]) >= rows_per_batch:
                yield batch
                batch = _empty_batch()
    if batch["report_id"]:
        yield batch


def batch_frame(batch: Batch) -> pd.DataFrame:
    """A batch as a frame, each column an array of its declared type."""
    return columns_frame(batch, _ARRAY_TYPES)


def _empty_batch() -> Batch:
    return {column: [] for column in COVERAGE_COLUMNS}


def _add_report(
    batch: Batch,
    result: ReportCoverage,
    report_id: str,
    extraction: StoredExtraction,
    figures: tuple[CuratedFigure, ...],
) -> None:
    """One report's rows onto `batch`; its curated figures found and not are counted in
    `result`."""
    mentions = extraction.mentions
    matched = coverage(extraction.squeezed_text, mentions, figures)
    result.curated += len(figures)
    result.not_found += [f for f, index in matched.found.items() if index is None]
    batch["report_id"] += itertools.repeat(report_id, mentions.size)
    batch["position"] += mentions.offset
    for column in MENTION_COLUMNS:
        batch[column] += getattr(mentions, column)
    batch["status"] += matched.statuses
    batch["figure_id"] += matched.figure_ids
