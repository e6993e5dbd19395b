"""The table registry: `sources/tables.yaml` and the reference files, read into plain objects.

This is the one place a table is defined. The Dagster assets, the pandera schemas and the
tests are all generated from what is read here.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from warehouse import settings
from warehouse.source_files import SourceFileError, load_yaml

FIGURES, RECORDS, REFERENCE, DOCUMENTS = "figures", "records", "reference", "documents"
TABLE_REGISTRY = "tables.yaml"
BOUND_NAMES = ("gt", "ge", "lt", "le")
# Whatever tables.yaml declares, a report id must be a plain folder name.
SAFE_ID = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*")


def fingerprints(root: Path) -> dict[str, str]:
    """sha256 of every file under `root`, by POSIX path relative to it. Hidden files and
    folders (editor swap files, `.git`) are not sources and are left out."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    }


class RegistryError(ValueError):
    """`tables.yaml` (or a reference file it relies on) is itself malformed."""


@dataclass(frozen=True)
class MetricSpec:
    name: str
    units: tuple[str, ...]
    bounds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ColumnSpec:
    """A declared column of a records or reference table."""

    name: str
    dtype: str = "str"
    nullable: bool = False
    bounds: dict[str, float] = field(default_factory=dict)
    isin: tuple[str, ...] | None = None
    regex: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class RuleSpec:
    rule: str
    params: dict[str, Any]


@dataclass(frozen=True)
class TextLayerSpec:
    """The table a documents table's text layer fills (raw.report_lines beside
    raw.report_documents): loaded from the same files, so declared in the same entry."""

    table: str
    description: str
    columns: dict[str, ColumnSpec]


def described(docs: Mapping[str, str | None], names: Sequence[str], where: str) -> dict[str, str]:
    """The descriptions `tables.yaml` gives the columns code writes, in the code's order: a
    written column without one is an error naming it, so no column goes undocumented."""
    missing = [name for name in names if not docs.get(name)]
    if missing:
        raise RegistryError(f"tables.yaml: {where} gives no description of column(s) {missing}")
    return {name: str(docs[name]) for name in names}


@dataclass(frozen=True)
class TableSpec:
    name: str
    kind: str
    description: str
    file: str | None = None
    dimensions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    entities: tuple[str, ...] = ()
    metrics: dict[str, MetricSpec] = field(default_factory=dict)
    rules: tuple[RuleSpec, ...] = ()
    key: tuple[str, ...] = ()
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    # entity id -> the other names the report prints it under (a table's row label, 我国)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # records tables: the columns whose cells a row's `quote` must hold (its quote is checked
    # against the report's document as a figure's is; empty: the table has no quotes)
    quote_contains: tuple[str, ...] = ()
    # figures tables: the topic mart that shows its figures (marts.<topic>, the `topic` of
    # marts.fct_report_figures); its own name unless tables.yaml says `topic:`
    topic: str = ""
    # documents tables: the table of its text layer
    text_layer: TextLayerSpec | None = None

    @property
    def quoted(self) -> bool:
        """Its rows quote the report's document: figures, and records with quote_contains."""
        return self.kind == FIGURES or bool(self.quote_contains)

    @property
    def per_report(self) -> bool:
        """Figures and records tables have one file per report folder; reference tables one."""
        return self.kind != REFERENCE

    @property
    def file_name(self) -> str:
        return self.file or f"{self.name}.csv"


def _bounds(raw: dict[str, Any]) -> dict[str, float]:
    return {name: float(raw[name]) for name in BOUND_NAMES if name in raw}


def _columns(raw: dict[str, Any]) -> dict[str, ColumnSpec]:
    return {
        column: ColumnSpec(
            name=column,
            dtype=spec.get("dtype", "str"),
            nullable=bool(spec.get("nullable", False)),
            bounds=_bounds(spec),
            isin=tuple(spec["isin"]) if "isin" in spec else None,
            regex=spec.get("regex"),
            description=spec.get("description"),
        )
        for column, spec in (raw.get("columns") or {}).items()
    }


def _text_layer(name: str, raw: dict[str, Any] | None) -> TextLayerSpec:
    if not raw or not raw.get("table") or not raw.get("description"):
        raise RegistryError(
            f"tables.yaml: documents table '{name}' needs a text_layer with table and description"
        )
    return TextLayerSpec(
        str(raw["table"]), " ".join(str(raw["description"]).split()), _columns(raw)
    )


def _table_spec(name: str, raw: dict[str, Any]) -> TableSpec:
    kind = raw.get("kind", FIGURES)
    if kind not in (FIGURES, RECORDS, REFERENCE, DOCUMENTS):
        raise RegistryError(f"tables.yaml: table '{name}' has unknown kind '{kind}'")
    if not raw.get("description"):
        raise RegistryError(f"tables.yaml: table '{name}' needs a description")
    metrics = {
        metric: MetricSpec(metric, tuple(spec["units"]), _bounds(spec))
        for metric, spec in (raw.get("metrics") or {}).items()
    }
    columns = _columns(raw)
    if kind == FIGURES and not metrics:
        raise RegistryError(f"tables.yaml: figures table '{name}' declares no metrics")
    if kind in (RECORDS, REFERENCE) and not columns:
        raise RegistryError(f"tables.yaml: {kind} table '{name}' declares no columns")
    quote_contains: tuple[str, ...] = tuple(str(c) for c in raw.get("quote_contains") or ())
    needed = {"quote", *quote_contains}
    if quote_contains and (kind != RECORDS or not needed <= set(columns)):
        raise RegistryError(
            f"tables.yaml: table '{name}' declares quote_contains, which needs a records table "
            "declaring a quote column and every column it names"
        )
    rules = tuple(
        RuleSpec(rule["rule"], {k: v for k, v in rule.items() if k != "rule"})
        for rule in raw.get("rules") or ()
    )
    return TableSpec(
        name=name,
        kind=kind,
        description=" ".join(str(raw["description"]).split()),
        file=raw.get("file"),
        dimensions={dim: tuple(values) for dim, values in (raw.get("dimensions") or {}).items()},
        entities=tuple(raw.get("entities") or ()),
        metrics=metrics,
        rules=rules,
        key=tuple(raw.get("key") or ()),
        columns=columns,
        aliases={entity: tuple(names) for entity, names in (raw.get("aliases") or {}).items()},
        quote_contains=quote_contains,
        topic=str(raw.get("topic") or name),
        text_layer=_text_layer(name, raw.get("text_layer")) if kind == DOCUMENTS else None,
    )


@dataclass(frozen=True)
class Registry:
    """Everything `sources/` declares: tables, reports, units and cited data sources."""

    root: Path
    tables: dict[str, TableSpec]
    cross_checks: tuple[dict[str, Any], ...] = ()
    # places where the report's words contradict each other (warehouse/metrics/audit.py)
    readings: tuple[dict[str, Any], ...] = ()
    # column -> description of the columns every figures table shares and of the provenance
    # columns (`figure_columns:`)
    figure_column_docs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path | None = None) -> Registry:
        root = root or settings.sources_dir()
        path = root / TABLE_REGISTRY
        try:
            raw = load_yaml(path, path.read_text(encoding="utf-8")) or {}
        except (OSError, SourceFileError) as exc:
            raise RegistryError(f"cannot read the table registry: {exc}") from exc
        if not isinstance(raw, dict):
            raise RegistryError(f"{path}: the table registry must be a mapping with 'tables:'")
        tables = {name: _table_spec(name, spec) for name, spec in raw.get("tables", {}).items()}
        return cls(
            root=root,
            tables=tables,
            cross_checks=tuple(raw.get("cross_checks") or ()),
            readings=tuple(raw.get("readings") or ()),
            figure_column_docs={
                str(column): " ".join(str(doc).split())
                for column, doc in (raw.get("figure_columns") or {}).items()
            },
        )

    def _reference_rows(self, table: str) -> list[dict[str, str]]:
        """A reference file's rows, read directly: validation vocabularies need them before
        (and independently of) that file's own load into the warehouse."""
        path = self.root / self.tables[table].file_name
        if path.suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                return list(csv.DictReader(handle))
        try:
            entries = load_yaml(path, path.read_text(encoding="utf-8")) or {}
        except (OSError, SourceFileError) as exc:
            raise RegistryError(f"cannot read a reference file: {exc}") from exc
        if not isinstance(entries, dict):
            raise RegistryError(f"{path.name}: expected a mapping of table name to rows")
        return [{k: str(v) for k, v in entry.items()} for entry in entries.get(table, [])]

    def _reference_column(self, table: str, column: str) -> frozenset[str]:
        return frozenset(row[column] for row in self._reference_rows(table))

    @cached_property
    def units(self) -> frozenset[str]:
        return frozenset(self.unit_factors)

    @cached_property
    def unit_factors(self) -> dict[str, float]:
        """unit -> factor to its base unit, from units.csv."""
        return {row["unit"]: float(row["factor"]) for row in self._reference_rows("units")}

    @cached_property
    def base_units(self) -> dict[str, str]:
        """unit -> its base unit (what a factor converts it to), from units.csv."""
        return {row["unit"]: row["base_unit"] for row in self._reference_rows("units")}

    @cached_property
    def data_sources(self) -> frozenset[str]:
        return self._reference_column("data_sources", "data_source")

    @cached_property
    def report_ids(self) -> frozenset[str]:
        """Every registered report id, each checked here (where every code path reads them)
        against the id pattern `tables.yaml` declares: an id names a folder under `sources/`,
        so `../x` or `/tmp/x` must never reach a path join."""
        ids = self._reference_column("reports", "report_id")
        pattern = re.compile(self.tables["reports"].columns["report_id"].regex or SAFE_ID)
        for report_id in sorted(ids):
            if not pattern.fullmatch(report_id) or not SAFE_ID.fullmatch(report_id):
                raise RegistryError(
                    f"{self.root / self.tables['reports'].file_name}: report_id {report_id!r} "
                    f"is not a valid report id (lower-case letters, digits and single "
                    f"underscores, pattern {pattern.pattern}); it names a folder under sources/"
                )
        return ids

    @cached_property
    def publication_dates(self) -> dict[str, dt.date]:
        """report_id -> publication date, as reports.yaml records it."""
        return {
            row["report_id"]: dt.date.fromisoformat(row["publication_date"])
            for row in self._reference_rows("reports")
        }

    @cached_property
    def documents(self) -> dict[str, tuple[Path, str | None]]:
        """report_id -> (path, sha256 recorded in reports.yaml) of each report's document."""
        return {
            row["report_id"]: (
                self.root / row["report_id"] / row["document"],
                row.get("document_sha256"),
            )
            for row in self._reference_rows("reports")
            if row.get("document")
        }

    def source_files(self, spec: TableSpec) -> list[tuple[str | None, Path]]:
        """(report_id, path) of every file that feeds a table, in report order.

        Per-report tables read `<report_id>/<table>.csv` from every registered report folder
        that has one; reference tables read their single file at the top of `sources/`.
        """
        if not spec.per_report:
            return [(None, self.root / spec.file_name)]
        if spec.kind == DOCUMENTS:
            return [
                (report_id, self.documents[report_id][0]) for report_id in sorted(self.documents)
            ]
        return [
            (report_id, self.root / report_id / spec.file_name)
            for report_id in sorted(self.report_ids)
            if (self.root / report_id / spec.file_name).exists()
        ]

    def unregistered_files(self) -> list[Path]:
        """Files in report folders that no table claims, and folders no report claims:
        a typo in a file name must not silently drop a table."""
        known = {spec.file_name for spec in self.tables.values() if spec.per_report}
        strays = []
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            if folder.name not in self.report_ids:
                strays.append(folder)
                continue
            document = self.documents.get(folder.name, (None,))[0]
            strays.extend(
                f for f in sorted(folder.iterdir()) if f.name not in known and f != document
            )
        return strays

    def tables_fed_by(self, relative_path: str) -> frozenset[str]:
        """The tables a file under `sources/` (a POSIX path relative to it) feeds: its own
        table for a report file or a reference file, every table for `tables.yaml`, and none
        for anything else (documentation, a folder no report claims, a file no table claims)."""
        parts = PurePosixPath(relative_path).parts
        if parts == (TABLE_REGISTRY,):
            return frozenset(self.tables)
        if len(parts) == 1:
            return frozenset(
                s.name for s in self.tables.values() if not s.per_report and s.file_name == parts[0]
            )
        document = self.documents.get(parts[0], (None,))[0] if len(parts) == 2 else None
        if document is not None and document.name == parts[1]:  # quoted tables read it
            return frozenset(
                s.name for s in self.tables.values() if s.quoted or s.kind == DOCUMENTS
            )
        if len(parts) == 2 and parts[0] in self.report_ids:
            return frozenset(
                s.name for s in self.tables.values() if s.per_report and s.file_name == parts[1]
            )
        return frozenset()
