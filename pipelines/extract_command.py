"""`crw extract DOCUMENT`: print every numeric mention of a report document, or with `--draft`
write the figures its report's tables lack as draft rows for a person to review.

Needs no Dagster and no pandas: it reads the document, and with `--report` the report's date
from sources/reports.yaml and its curated figures from the published warehouse.
"""

import csv
import io
import sys
from pathlib import Path

import duckdb

from pipelines.cli import print_output
from warehouse import settings
from warehouse.documents import read_document
from warehouse.extraction.mentions import MentionColumns, extract
from warehouse.extraction.review import (
    DRAFT_COLUMNS,
    MENTION_COLUMNS,
    coverage,
    curated_figures,
    draft_rows,
    mention_row,
)
from warehouse.query import Result, render
from warehouse.registry import Registry, RegistryError
from warehouse.source_files import SourceFileError


class ExtractRefused(ValueError):
    """The command's arguments cannot be served; the message says why."""


def _report(report_id: str):
    dates = Registry.load().publication_dates
    if report_id not in dates:
        raise ExtractRefused(f"no report {report_id!r} in sources/reports.yaml")
    try:
        figures = curated_figures(report_id)
    except FileNotFoundError:  # a report being onboarded: nothing curated yet
        figures = ()
    return dates[report_id], figures


def _outside_sources(path: Path) -> Path:
    """A draft is reviewed before any row reaches a table file: never written into sources/."""
    sources = settings.sources_dir().resolve()
    if path.resolve().is_relative_to(sources):
        raise ExtractRefused(
            f"{path}: a draft is not written into {sources}; write it elsewhere, review it, "
            "then copy the rows you checked into the table files"
        )
    return path


def _draft_csv(rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DRAFT_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def _emit(text: str, output: Path | None) -> None:
    if output:
        _outside_sources(output).write_text(text + "\n", encoding="utf-8")
    else:
        print_output(text)


def extract_command(
    document: Path, report_id: str | None, fmt: str, draft: bool, output: Path | None
) -> int:
    try:
        text = read_document(document, str(document))
        published, figures = _report(report_id) if report_id else (None, ())
        mentions = extract(text, published)
        found = coverage(text.squeezed_text, MentionColumns.of(mentions), figures)
        if draft:
            rows = draft_rows(mentions, found.statuses)
            _emit(_draft_csv(rows).rstrip("\n"), output)
            print(f"crw extract: {len(rows)} draft rows", file=sys.stderr)
            return 0
        columns, rows = MENTION_COLUMNS, [mention_row(m) for m in mentions]
        if report_id:
            columns += ("status", "figure_id")
            extra = zip(found.statuses, found.figure_ids, strict=True)
            rows = [r + e for r, e in zip(rows, extra, strict=True)]
        _emit(render(Result(columns, rows), fmt), output)
        if figures:
            print(
                f"crw extract: {len(mentions)} mentions; curated figures found: "
                f"{sum(v is not None for v in found.found.values())}/{len(figures)} "
                f"({found.found_share:.1%})",
                file=sys.stderr,
            )
        return 0
    except (ExtractRefused, SourceFileError, RegistryError, OSError, duckdb.Error) as error:
        print(f"crw extract: {error}", file=sys.stderr)
        return 1
