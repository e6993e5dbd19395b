"""Helpers for tests that break a copy of a source file on purpose."""

import csv
import hashlib
import io
from pathlib import Path

from warehouse.registry import Registry


def edit_cell(path: Path, match: dict[str, str], column: str, new: str) -> int:
    """Set `column` of the one row matching `match` to `new`; return its line number."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    hits = [
        i
        for i, row in enumerate(rows[1:], start=1)
        if all(row[header.index(k)] == v for k, v in match.items())
    ]
    assert len(hits) == 1, f"{match} matches {len(hits)} rows of {path}"
    rows[hits[0]][header.index(column)] = new
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return hits[0] + 1


def rename_column(path: Path, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    header[header.index(old)] = new
    path.write_text("\n".join([",".join(header), *lines[1:]]), encoding="utf-8")


def drop_column(path: Path, column: str) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    index = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:index] + r[index + 1 :] for r in rows])
    path.write_text(out.getvalue(), encoding="utf-8")


def append_copy_of_row(path: Path, match: dict[str, str]) -> int:
    """Append a duplicate of the matching row; return the new row's line number."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    row = next(r for r in rows[1:] if all(r[header.index(k)] == v for k, v in match.items()))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([*rows, row])
    path.write_text(out.getvalue(), encoding="utf-8")
    return len(rows) + 1


def edit_document(sources: Path, report_id: str, old: str, new: str) -> None:
    """Make the report's document itself say `new` where it says `old` (once), and record
    its new sha256 in reports.yaml, as an analyst would after replacing a document."""
    registry = Registry.load(sources)
    path, recorded = registry.documents[report_id]
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    reports = sources / "reports.yaml"
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    reports.write_text(reports.read_text(encoding="utf-8").replace(recorded, sha256), "utf-8")
