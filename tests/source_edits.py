"""Helpers for tests that break a copy of a source file on purpose."""

import csv
import io
from pathlib import Path


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
