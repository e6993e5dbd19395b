"""Read every source file of one table kind and validate them together: the step between a
folder of CSVs and a warehouse table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from warehouse.registry import Registry, TableSpec
from warehouse.schemas import (
    DECIMALS,
    PROVENANCE_COLUMNS,
    SourceValidationError,
    TableSchema,
    build_schema,
    header_problems,
    validate,
)
from warehouse.source_files import SourceFileError, read_source_file


@dataclass(frozen=True)
class LoadedTable:
    spec: TableSpec
    frame: pd.DataFrame
    files: dict[str, str]  # display name -> encoding it was read in


def display_name(registry: Registry, path) -> str:
    return f"{registry.root.name}/{path.relative_to(registry.root).as_posix()}"


def load_table(registry: Registry, spec: TableSpec, schema: TableSchema | None = None
               ) -> LoadedTable:
    """The validated frame of one table from all its files, or an error naming what is wrong."""
    schema = schema or build_schema(spec, registry)
    files = registry.source_files(spec)
    if not files:
        raise SourceFileError(
            f"{registry.root.name}/<report_id>/{spec.file_name}",
            f"no registered report folder has a file for table '{spec.name}'",
        )
    frames, encodings, problems = [], {}, []
    for report_id, path in files:
        name = display_name(registry, path)
        frame, encodings[name] = read_source_file(path, name, yaml_key=spec.name)
        problems.extend(header_problems(frame, name, schema.expected_columns))
        if report_id is not None:
            frame.insert(0, "report_id", report_id)
        frames.append(frame)
    if problems:
        raise SourceValidationError(spec.name, problems)
    combined = pd.concat(frames, ignore_index=True)
    valid = validate(combined, schema)
    # report_id first (a reference table like reports.yaml may declare it itself), then the
    # file's columns, then what the loader derived
    columns = ["report_id", *schema.expected_columns, DECIMALS, *PROVENANCE_COLUMNS[1:]]
    ordered = [c for c in dict.fromkeys(columns) if c in valid.columns]
    return LoadedTable(spec, valid[ordered], encodings)
