"""The data dictionary: what `dbt_like_sql/<schema>/_models.yml` says about every table.

One YAML file per schema documents each table (SQL models and the tables Python assets build
alike, the latter marked `built_by: python`): its description, its grain (what one row is)
and unique key, and every column with its description and, for a quantity, its unit. The SQL
model runner, the metric assets, `crw describe` and the data site all read it from here, and
the same text is stored as DuckDB comments so any client sees it.

Only PyYAML is imported: `crw describe` stays fast. A docs file is parsed once per process
for a given text: the code location reads the marts file for every metric asset and the
model runner, and parsing it was a third of loading the code location.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from warehouse import settings
from warehouse.source_files import SAFE_LOADER

if TYPE_CHECKING:  # pandas only for the type: `crw describe` must not import it
    import pandas as pd

DOCS_FILE = "_models.yml"
PYTHON_BUILT = "python"
QUALIFIER_DOC = (
    "How the report qualifies {column}: = exact, ~ about (约, 将近), > more than (超过), "
    ">= at least, < less than, <= at most; NULL where {column} is."
)


class DocsError(ValueError):
    """A docs file is malformed; the message names the file."""


@dataclass(frozen=True)
class ColumnDoc:
    description: str
    unit: str | None = None
    decimals: int | None = None  # a derived value's documented precision

    @property
    def comment(self) -> str:
        """The DuckDB column comment: the description, then the unit and precision."""
        parts = [self.description]
        if self.unit:
            parts.append(f"Unit: {self.unit}.")
        if self.decimals is not None:
            parts.append(f"Rounded to {self.decimals} decimal{'' if self.decimals == 1 else 's'}.")
        return " ".join(parts)

    def rounded(self, value: float | None) -> float | None:
        """`value` at the documented decimals: the decimal text of the rounded number read
        back, so 15531.022475 comes out as 15531.02, never 15531.020000000001."""
        if self.decimals is None or value is None or value != value:  # NULL / NaN
            return value
        return float(f"{value:.{self.decimals}f}")


@dataclass(frozen=True)
class TableDoc:
    schema: str
    name: str
    description: str = ""
    grain: str = ""
    unique_key: tuple[str, ...] = ()
    columns: dict[str, ColumnDoc] = field(default_factory=dict)
    built_by: str = "sql"
    # a topic mart: `<column>_qualifier` beside each metric column, documented by one rule
    qualifier_columns: bool = False

    def column_doc(self, column: str) -> ColumnDoc | None:
        if column in self.columns:
            return self.columns[column]
        stated = column.removesuffix("_qualifier")
        if self.qualifier_columns and stated != column and stated in self.columns:
            return ColumnDoc(QUALIFIER_DOC.format(column=stated))
        return None

    @property
    def column_comments(self) -> dict[str, str]:
        """DuckDB comments of every column the table may have (a pivot follows the data)."""
        names = [*self.columns]
        if self.qualifier_columns:
            names += [f"{name}_qualifier" for name in self.columns]
        return {name: doc.comment for name in names if (doc := self.column_doc(name))}

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"

    def conform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A pandas frame a Python asset built, in its documented shape: the columns in the
        order the docs list them (lineage last, not first in `SELECT *`), each at its
        documented precision, so no float noise reaches the marts. An undocumented column
        is an error, not a silent extra."""
        if undocumented := sorted(set(frame.columns) - set(self.columns)):
            raise DocsError(f"{self.relation}: document {undocumented} in {DOCS_FILE}")
        frame = frame.reindex(columns=list(self.columns))
        for column, doc in self.columns.items():
            if doc.decimals is not None:
                frame[column] = frame[column].map(doc.rounded)
        return frame

    @property
    def comment(self) -> str:
        """The DuckDB table comment: description, grain and unique key."""
        parts = [self.description]
        if self.grain:
            parts.append(f"Grain: {self.grain}.")
        if self.unique_key:
            parts.append(f"Unique key: ({', '.join(self.unique_key)}).")
        return " ".join(p for p in parts if p)


def _text(value: object) -> str:
    return " ".join(str(value or "").split())


@functools.lru_cache(maxsize=16)
def _parsed(text: str) -> object:
    return yaml.load(text, Loader=SAFE_LOADER)


def read_entries(path: Path, display: str) -> dict[str, dict[str, Any]]:
    """The raw `models:` entries of one docs file, by model name (read-only: a file with the
    same text shares them)."""
    try:
        raw = _parsed(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise DocsError(f"{display}: is not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise DocsError(f"{display}: must be a mapping with a 'models:' list")
    entries = raw.get("models") or []
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and "name" in e for e in entries
    ):
        raise DocsError(f"{display}: 'models:' must be a list of entries with a name")
    return {entry["name"]: entry for entry in entries}


def leading_comment(sql: str) -> str:
    """The `--` comment block a file starts with, as one paragraph."""
    lines = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        lines.append(stripped.removeprefix("--").strip())
    return " ".join(" ".join(lines).split())


def table_doc(schema: str, entry: dict[str, Any], sql: str = "") -> TableDoc:
    """A table's docs from its YAML entry; without a description there, the comment block
    its .sql file starts with."""
    key = entry.get("unique_key") or ()
    return TableDoc(
        schema=schema,
        name=entry["name"],
        description=_text(entry.get("description")) or leading_comment(sql),
        grain=_text(entry.get("grain")).rstrip("."),
        unique_key=tuple([key] if isinstance(key, str) else key),
        columns={
            c["name"]: ColumnDoc(_text(c.get("description")), c.get("unit"), c.get("decimals"))
            for c in entry.get("columns") or ()
            if c.get("description")
        },
        built_by=entry.get("built_by", "sql"),
        qualifier_columns=bool(entry.get("qualifier_columns")),
    )


def schema_docs(schema: str, root: Path | None = None) -> dict[str, TableDoc]:
    """Every table `<root>/<schema>/_models.yml` documents, by name."""
    root = root or settings.models_dir()
    path = root / schema / DOCS_FILE
    if not path.exists():
        return {}
    entries = read_entries(path, f"{root.name}/{schema}/{DOCS_FILE}")
    return {
        name: table_doc(schema, entry, sql_file.read_text(encoding="utf-8"))
        if (sql_file := root / schema / f"{name}.sql").exists()
        else table_doc(schema, entry)
        for name, entry in entries.items()
    }


def python_table_doc(name: str, schema: str = "marts") -> TableDoc:
    """The docs of a table a Python asset builds. They ship with the code, so a project whose
    MODELS_PATH points elsewhere (and does not document the table) still finds them."""
    for root in dict.fromkeys((settings.models_dir(), settings.PROJECT_ROOT / "dbt_like_sql")):
        doc = schema_docs(schema, root).get(name)
        if doc is not None and doc.built_by == PYTHON_BUILT:
            return doc
    raise DocsError(
        f"{schema}/{DOCS_FILE}: document {schema}.{name} there, with built_by: {PYTHON_BUILT}"
    )
