"""Read every source file of one table kind and validate them together: the step between a
folder of CSVs and a warehouse table."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from warehouse.cells import DECIMALS
from warehouse.documents import (
    DOCUMENT_COLUMNS,
    LINE_COLUMNS,
    QuoteIndex,
    load_document,
    load_quote_index,
)
from warehouse.figures import columns_frame
from warehouse.kept_quote_checks import FileRows, check_table_quotes
from warehouse.problems import Problem, SourceValidationError, header_problems
from warehouse.registry import DOCUMENTS, Registry, TableSpec, described
from warehouse.schemas import (
    PROVENANCE_COLUMNS,
    QUOTE_LINE,
    QUOTE_PAGE,
    TableSchema,
    build_schema,
    validate,
)
from warehouse.source_files import SOURCE_FILE, SOURCE_LINE, SourceFileError, read_source_file


@dataclass(frozen=True)
class CompanionTable:
    frame: pd.DataFrame
    description: str
    column_docs: dict[str, str]


@dataclass(frozen=True)
class LoadedTable:
    spec: TableSpec
    frame: pd.DataFrame
    files: dict[str, str]  # display name -> encoding it was read in
    data_version: str  # a digest of the files' names and contents: changes iff they do
    # further tables the same files fill (raw.report_lines beside raw.report_documents)
    companions: dict[str, CompanionTable] = field(default_factory=dict)


LINE_ARRAY_TYPES = {"page": "int64", "line": "int64"}  # the text layer's other columns are text


def display_name(registry: Registry, path: Path) -> str:
    return f"{registry.root.name}/{path.relative_to(registry.root).as_posix()}"


def load_table(
    registry: Registry, spec: TableSpec, schema: TableSchema | None = None
) -> LoadedTable:
    """The validated frame of one table from all its files, or an error naming what is wrong."""
    if spec.kind == DOCUMENTS:
        return load_documents(registry, spec)
    schema = schema or build_schema(spec, registry)
    files = registry.source_files(spec)
    if not files:
        raise SourceFileError(
            f"{registry.root.name}/<report_id>/{spec.file_name}",
            f"no registered report folder has a file for table '{spec.name}'",
        )
    columns = list(schema.expected_columns)
    cells: list[list[str]] = []
    report_ids, names, lines = [], [], []
    spans: list[FileRows] = []
    encodings, problems = {}, []
    digest = hashlib.sha256()
    for report_id, path in files:
        name = display_name(registry, path)
        source = read_source_file(path, name, yaml_key=spec.name)
        encodings[name] = source.encoding
        digest.update(f"{name}\0{source.sha256}\0".encode())
        problems.extend(header_problems(source.header, name, schema.expected_columns))
        if problems:
            continue  # nothing is loaded; keep collecting every file's header problems
        order = [source.header.index(c) for c in columns]
        start = len(cells)
        spans.append(FileRows(name, report_id, source.sha256, start, start + len(source.rows)))
        cells.extend([row[i] for i in order] for row in source.rows)
        report_ids.extend([report_id] * len(source.rows))
        names.extend([name] * len(source.rows))
        lines.extend(source.lines)
    if problems:
        raise SourceValidationError(spec.name, problems)
    # One frame for all files (a frame per file costs ~1 ms each: seconds at 1,000 reports).
    combined = pd.DataFrame(cells, columns=columns, dtype=object)
    if spec.per_report:
        combined.insert(0, "report_id", pd.Series(report_ids, dtype=object))
    combined[SOURCE_FILE] = pd.Series(names, dtype=object)
    combined[SOURCE_LINE] = pd.Series(lines, dtype="int64")
    quotes = None
    if spec.quoted:
        documents = quote_indexes(registry, set(report_ids))
        quotes = check_table_quotes(spec, combined, documents, spans)
    try:
        valid = validate(combined, schema)
    except SourceValidationError as error:
        if quotes is None or not quotes.problems:
            raise
        raise SourceValidationError(spec.name, _sorted(error.problems + quotes.problems)) from None
    if quotes is not None:
        if quotes.problems:
            raise SourceValidationError(spec.name, _sorted(quotes.problems))
        valid[QUOTE_PAGE] = pd.Series(quotes.pages, dtype="Int64")
        valid[QUOTE_LINE] = pd.Series(quotes.lines, dtype="Int64")
    # report_id first (a reference table like reports.yaml may declare it itself), then the
    # file's columns, then what the loader derived
    derived = [DECIMALS, QUOTE_PAGE, QUOTE_LINE]
    order = ["report_id", *schema.expected_columns, *derived, *PROVENANCE_COLUMNS[1:]]
    ordered = [c for c in dict.fromkeys(order) if c in valid.columns]
    return LoadedTable(spec, valid[ordered], encodings, digest.hexdigest()[:16])


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.rule))


def quote_indexes(registry: Registry, report_ids: set[str]) -> dict[str, QuoteIndex]:
    """What checking quotes needs of the documents of the given reports that name one in
    reports.yaml."""
    return {
        report_id: load_quote_index(path, display_name(registry, path), sha256)
        for report_id, (path, sha256) in registry.documents.items()
        if report_id in report_ids
    }


def load_documents(registry: Registry, spec: TableSpec) -> LoadedTable:
    """Every report's document as one row, and its text layer as one row per line."""
    documents, files = [], {}
    # the text layer by column, as the documents hold it (a tuple per line costs ~1 s), then
    # typed arrays (pandas guessing the types of 1.2 million lines cost 0.6 s more)
    lines: dict[str, list[object]] = {column: [] for column in LINE_COLUMNS}
    digest = hashlib.sha256()
    for report_id, path in registry.source_files(spec):
        assert report_id is not None  # documents are per report
        _, sha256 = registry.documents[report_id]
        document = load_document(path, display_name(registry, path), sha256)
        # index it now, while the Document is cached: the quoted tables loaded next need
        # only its index, and at a thousand reports reading each document again cost ~3.5 s
        load_quote_index(path, document.file, sha256)
        name = document.file
        files[name] = "pdf" if path.suffix.lower() == ".pdf" else "text"
        digest.update(f"{name}\0{document.sha256}\0".encode())
        count = len(document.texts)
        documents.append((report_id, name, document.sha256, document.pages, count))
        lines["report_id"] += itertools.repeat(report_id, count)
        lines["page"] += document.line_pages
        lines["line"] += range(1, count + 1)
        lines["text"] += document.texts
    layer = spec.text_layer
    assert layer is not None  # the registry requires one of every documents table
    frame = pd.DataFrame(documents, columns=list(DOCUMENT_COLUMNS))
    line_frame = columns_frame(lines, LINE_ARRAY_TYPES)
    line_docs = {name: c.description for name, c in layer.columns.items()}
    where = f"the text layer of '{spec.name}'"
    lines_table = CompanionTable(
        line_frame, layer.description, described(line_docs, LINE_COLUMNS, where)
    )
    return LoadedTable(spec, frame, files, digest.hexdigest()[:16], {layer.table: lines_table})
