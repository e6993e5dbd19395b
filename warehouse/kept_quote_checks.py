"""Quote checks kept per source file, so a refresh checks again only the files that changed.

Checking a quote is a pure function of the file's rows, its report's document, the table's
aliases (or `quote_contains`) and the checking code; at a thousand reports it was ~5 s of
every refresh, nearly all of it for files that had not changed. So, for each file whose
quotes all passed, where each quote starts in the document is kept (one JSON file per table,
beside the warehouse file), under a key of exactly those inputs: the file's sha256, its
report, the document's sha256, the table's quote rules and the source of this module and of
every `warehouse` module it imports. Anything else is a miss and is checked again, so what
is kept can make a load slower, never different. A file with a problem is never kept: its
problems are found, and reported, on every load.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from warehouse import settings
from warehouse.atomic_files import write_file_atomically
from warehouse.code_fingerprint import code_fingerprint
from warehouse.documents import QuoteIndex
from warehouse.quotes import QuoteCheck, check_quotes, figure_check, record_check
from warehouse.registry import FIGURES, TableSpec

Anchors = tuple[list[int | None], list[int | None]]  # each row's quote page and line


class FileRows(NamedTuple):
    """The rows `start:stop` of a table's combined frame, read from one file."""

    name: str  # as problems name it
    report_id: str | None
    sha256: str
    start: int
    stop: int


def _rules(spec: TableSpec) -> str:
    """What of the table decides its quote checks, and the code that makes them."""
    rules = (spec.kind, sorted(spec.aliases.items()), spec.quote_contains)
    return f"{code_fingerprint(__name__)}/{hashlib.sha256(repr(rules).encode()).hexdigest()}"


def _key(file: FileRows, document: QuoteIndex | None) -> str:
    return f"{file.report_id}/{file.sha256}/{document.sha256 if document else None}"


def _read(path: Path, rules: str) -> dict[str, Anchors]:
    """The kept checks in `path`, if they were made under `rules`; else none."""
    try:
        kept = json.loads(path.read_bytes())
    except (OSError, ValueError):  # none yet, or not what this module writes: check all
        return {}
    if not isinstance(kept, dict) or kept.get("rules") != rules:
        return {}
    files = kept.get("files")
    return files if isinstance(files, dict) else {}


def check_table_quotes(
    spec: TableSpec,
    frame: pd.DataFrame,
    documents: dict[str, QuoteIndex],
    files: Sequence[FileRows],
) -> QuoteCheck:
    """`check_quotes` of a quoted table's combined frame, checking only the files whose
    checks are not kept, then keeping those of this load that passed (and only those)."""
    row_check = (
        figure_check(spec.aliases) if spec.kind == FIGURES else record_check(spec.quote_contains)
    )
    path = settings.quote_checks_dir() / f"{spec.name}.json"
    rules = _rules(spec)
    kept = _read(path, rules)
    keys = [_key(file, documents.get(file.report_id or "")) for file in files]
    missed = [file for file, key in zip(files, keys, strict=True) if key not in kept]
    if len(missed) < len(files):  # only their rows (a take of every row would copy them)
        frame = frame.iloc[[row for file in missed for row in range(file.start, file.stop)]]
    checked = check_quotes(frame, documents, row_check) if missed else QuoteCheck([], [], [])
    failed = {problem.file for problem in checked.problems}
    at, fresh = 0, {}
    for file in missed:
        size = file.stop - file.start
        fresh[file] = (checked.pages[at : at + size], checked.lines[at : at + size])
        at += size
    pages: list[int | None] = []
    lines: list[int | None] = []
    passed: dict[str, Anchors] = {}
    for file, key in zip(files, keys, strict=True):
        found = fresh[file] if file in fresh else kept[key]
        pages += found[0]
        lines += found[1]
        if file.name not in failed:
            passed[key] = found
    if passed.keys() != kept.keys():
        kept_now = json.dumps({"rules": rules, "files": passed}, separators=(",", ":"))
        # on a read-only volume nothing is kept: only the next load's speed depends on it
        with contextlib.suppress(OSError):
            write_file_atomically(path, kept_now.encode())
    return QuoteCheck(checked.problems, pages, lines)
