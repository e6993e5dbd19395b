"""Reading one hand-made source file into a frame of text cells, tolerant of what spreadsheet
programs write (BOM, GBK, full-width digits) and strict about everything else.

Every row keeps the line it came from, so a validation error can point at it.
"""

from __future__ import annotations

import _csv  # the type of csv.reader()'s result
import csv
import functools
import hashlib
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

SOURCE_FILE, SOURCE_LINE = "source_file", "source_line"
UTF8_BOM = b"\xef\xbb\xbf"
# libyaml's loader when PyYAML was built with it: the same documents, ~10x faster to parse.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SourceFileError(ValueError):
    """A source file cannot be read at all (missing, empty, undecodable, ragged)."""

    def __init__(self, path: Path | str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = str(path), problem


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (BOM dropped), else GB18030."""
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise SourceFileError(path, f"is neither UTF-8 nor GBK/GB18030 text ({exc})") from exc


# Cells compared with the report's document character for character: never folded.
VERBATIM_COLUMNS = frozenset({"quote"})


def normalize_cell(text: str) -> str:
    """Strip surrounding blanks, and fold a cell written in full-width ASCII (`２０２３`,
    `１，２３４．５`, `ａｗｓ`: what an IME produces for numbers and codes) to ASCII. A cell
    that keeps other characters after folding is text and keeps its own punctuation:
    `华为云：昇腾` stays as printed."""
    text = text.strip()
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKC", text)
    return folded if folded.isascii() else text


def refuse_yaml_aliases(path: Path | str, text: str) -> None:
    """Anchors and aliases let a few hundred bytes of YAML expand to gigabytes; a reviewed
    source file never needs them, so they are refused before anything is built."""
    try:
        for event in yaml.parse(text, Loader=SAFE_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise SourceFileError(
                    path,
                    f"line {event.start_mark.line + 1}: YAML anchors and aliases (&name, *name) "
                    "are not allowed in sources/; write the value out",
                )
    except yaml.YAMLError as exc:
        raise SourceFileError(path, f"is not valid YAML: {exc}") from exc


def load_yaml(path: Path | str, text: str) -> object:
    """A YAML source document as plain data, after `refuse_yaml_aliases`."""
    refuse_yaml_aliases(path, text)
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise SourceFileError(path, f"is not valid YAML: {exc}") from exc


# Cells repeat (an entity's name, a unit, a period on every row of theirs): normalise each
# distinct one once; a thousand reports read 3.4 million cells.
_normalized = functools.lru_cache(maxsize=1 << 16)(normalize_cell)


def _normalizers(header: list[str]) -> list[Callable[[str], str]]:
    return [(str.strip if c in VERBATIM_COLUMNS else _normalized) for c in header]


def _csv_rows(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _csv_cells(path, reader)
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 KiB field limit
        raise SourceFileError(path, f"line {reader.line_num}: {exc}") from None


def _csv_cells(path: Path, reader: _csv.Reader) -> tuple[list[str], list[tuple[int, list[str]]]]:
    header: list[str] | None = None
    normalizers: list[Callable[[str], str]] = []
    rows: list[tuple[int, list[str]]] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [normalize_cell(cell) for cell in cells]
            normalizers = _normalizers(header)
            continue
        if len(cells) != len(header):
            raise SourceFileError(
                path,
                f"line {reader.line_num} has {len(cells)} fields but the header has "
                f"{len(header)}; quote cells that contain commas",
            )
        rows.append(
            (reader.line_num, [f(cell) for f, cell in zip(normalizers, cells, strict=True)])
        )
    if header is None:
        raise SourceFileError(path, "is empty: expected a header line and at least one row")
    if not rows:
        raise SourceFileError(path, "has a header but no rows")
    return header, rows


def _yaml_rows(path: Path, text: str, key: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    data = load_yaml(path, text)
    document = yaml.compose(text, Loader=SAFE_LOADER)
    if not isinstance(data, dict) or not isinstance(data.get(key), list) or not data[key]:
        raise SourceFileError(path, f"must hold a non-empty list under '{key}:'")
    entries = data[key]
    nodes = next(v for k, v in document.value if k.value == key).value
    header = list(dict.fromkeys(column for entry in entries for column in entry))
    normalizers = _normalizers(header)
    rows = [
        (
            node.start_mark.line + 1,
            [f(str(entry.get(c, "") or "")) for f, c in zip(normalizers, header, strict=True)],
        )
        for node, entry in zip(nodes, entries, strict=True)
    ]
    return header, rows


@dataclass(frozen=True)
class SourceFile:
    """One file's cells as text, with the line each row came from and its encoding. Kept as
    plain lists: a table's files become one frame together (`warehouse.loading`), which is
    much cheaper than a frame per file when there are thousands of report folders."""

    header: list[str]
    lines: list[int]
    rows: list[list[str]]
    encoding: str
    sha256: str  # of the bytes as read: the table's data version is built from these


def read_source_file(path: Path, display_name: str, yaml_key: str) -> SourceFile:
    """All cells of a file as text, with the line each row came from."""
    if not path.exists():
        raise SourceFileError(display_name, "does not exist")
    data = path.read_bytes()
    if not data.strip():
        raise SourceFileError(display_name, "is empty: expected a header line and rows")
    text, encoding = decode(Path(display_name), data)
    if path.suffix in (".yaml", ".yml"):
        header, rows = _yaml_rows(Path(display_name), text, yaml_key)
    else:
        header, rows = _csv_rows(Path(display_name), text)
    if len(set(header)) != len(header):
        duplicated = sorted({c for c in header if header.count(c) > 1})
        raise SourceFileError(display_name, f"header repeats column(s) {duplicated}")
    return SourceFile(
        header,
        [line for line, _ in rows],
        [cells for _, cells in rows],
        encoding,
        hashlib.sha256(data).hexdigest(),
    )
