"""The dbt-like SQL models in `dbt_like_sql/`: discovery, docs, dependencies and tests.

Every `<schema>/<name>.sql` file is one model that becomes the DuckDB table `<schema>.<name>`
(or, if the file holds `CREATE OR REPLACE MACRO <schema>.<name>`, that macro). Models name
the tables they read by their schema-qualified DuckDB name (`FROM raw.it_spend`,
`FROM staging.stg_figures`), which is this project's `ref()`/`source()`: the dependencies are
parsed from the SQL with sqlglot (warehouse/sql_parse.py, cached by file content), so a file
runs as-is in any DuckDB client and the Dagster graph is exactly what the SQL reads.

Docs and tests live beside the SQL as dbt users expect: `<schema>/_models.yml` describes
models and columns (read by warehouse/docs.py, which also serves the tables Python assets
build) and declares generic tests, including each model's `unique_key`; `tests/<name>.sql`
holds singular tests that return offending rows. A model without a YAML entry takes its
description from the `--` comment block it starts with.

Nothing here imports Dagster: `pipelines/assets/models.py` turns a `ModelProject` into assets.
"""

from __future__ import annotations

import dataclasses
import graphlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from warehouse import settings
from warehouse.docs import (
    DOCS_FILE,
    PYTHON_BUILT,
    DocsError,
    TableDoc,
    leading_comment,
    read_entries,
    table_doc,
)
from warehouse.sql_parse import MACRO, QUERY, ModelError, ParseCache
from warehouse.store import quote, sql_literal

TESTS_FOLDER = "tests"
GENERATED = "generated from sources/tables.yaml (warehouse/figure_models.py)"  # a model's file
# the generated models feed this file's model and read it: a project without it (a test's
# empty project) gets none
FIGURES_MODEL_FILE = Path("staging", "stg_figures.sql")
BLOCKING_SCHEMAS = frozenset({"staging"})  # bad staging must not feed the marts
FAILING_ROWS_SHOWN = 20


@dataclass(frozen=True)
class ModelTest:
    """One test of a model: a query that returns the rows breaking it (none = pass)."""

    name: str
    sql: str
    description: str
    blocking: bool
    reads: frozenset[str] = frozenset()  # relations besides the model the test reads


@dataclass(frozen=True)
class Model:
    schema: str
    name: str
    file: str  # display path, e.g. dbt_like_sql/marts/it_spend.sql, or GENERATED
    sql: str
    doc: TableDoc
    reads: frozenset[str]
    is_macro: bool = False
    tests: tuple[ModelTest, ...] = ()

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def description(self) -> str:
        """The table comment: description (else the file's comment block), grain, key."""
        return self.doc.comment

    @property
    def column_docs(self) -> dict[str, str]:
        return self.doc.column_comments


@dataclass(frozen=True)
class TestOutcome:
    failures: int
    sample: pd.DataFrame  # up to FAILING_ROWS_SHOWN offending rows


# ---- generic tests: each returns the offending rows of `relation` -------------------------


def _literal(value: Any) -> str:
    return sql_literal(value) if isinstance(value, str) else repr(value)


def _columns(columns: Iterable[str]) -> str:
    return ", ".join(quote(c) for c in columns)


def _duplicates(relation: str, columns: list[str]) -> str:
    present = " AND ".join(f"{quote(c)} IS NOT NULL" for c in columns)
    return (
        f"SELECT * FROM {relation} WHERE {present} "
        f"QUALIFY count(*) OVER (PARTITION BY {_columns(columns)}) > 1 "
        f"ORDER BY {_columns(columns)}"
    )


def _column_test(
    relation: str, column: str, test: str, args: dict[str, Any]
) -> tuple[str, str, set[str]]:
    """(check name, SQL of offending rows, relations read besides the model)."""
    col = quote(column)
    if test == "unique":
        return f"unique_{column}", _duplicates(relation, [column]), set()
    if test == "not_null":
        return f"not_null_{column}", f"SELECT * FROM {relation} WHERE {col} IS NULL", set()
    if test == "accepted_values":
        values = ", ".join(_literal(v) for v in args["values"])
        return (
            f"accepted_values_{column}",
            f"SELECT * FROM {relation} WHERE {col} NOT IN ({values})",
            set(),
        )
    if test == "relationships":
        target, field_ = args["to"].lower(), quote(args["field"])
        return (
            f"relationships_{column}_{target.split('.')[-1]}",
            f"SELECT * FROM {relation} AS child WHERE child.{col} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target} AS parent WHERE parent.{field_} = child.{col})",
            {target},
        )
    if test == "range":
        bounds = [f"{col} < {_literal(args['min'])}"] if "min" in args else []
        bounds += [f"{col} > {_literal(args['max'])}"] if "max" in args else []
        if not bounds:
            raise KeyError("min or max")
        return f"range_{column}", f"SELECT * FROM {relation} WHERE {' OR '.join(bounds)}", set()
    raise ValueError(
        f"unknown column test '{test}' (known: unique, not_null, "
        "accepted_values, relationships, range)"
    )


def _model_test(relation: str, test: str, args: Any) -> tuple[str, str, set[str]]:
    if test == "unique_combination":
        columns = list(args.get("columns", []) if isinstance(args, dict) else args)
        return (f"unique_combination_{'_'.join(columns)}", _duplicates(relation, columns), set())
    raise ValueError(f"unknown model test '{test}' (known: unique_combination)")


def _test_items(entries: list[Any] | None) -> Iterable[tuple[str, Any]]:
    """`[unique, {accepted_values: {values: [...]}}]` -> ("unique", {}), ("accepted_values", …)"""
    for entry in entries or ():
        if isinstance(entry, str):
            yield entry, {}
        elif isinstance(entry, dict) and len(entry) == 1:
            yield next(iter(entry.items()))
        else:
            raise ValueError(f"a test is a name or a one-key mapping, not {entry!r}")


def _blocking(schema: str, args: Any) -> bool:
    severity = args.get("severity") if isinstance(args, dict) else None
    if severity not in (None, "error", "warn"):
        raise ValueError(f"severity must be error or warn, not {severity!r}")
    return severity == "error" if severity else schema in BLOCKING_SCHEMAS


def _declared_tests(schema: str, relation: str, entry: dict[str, Any]) -> list[ModelTest]:
    tests = []
    for column in entry.get("columns") or ():
        for test, args in _test_items(column.get("tests")):
            name, sql, reads = _column_test(relation, column["name"], test, args or {})
            tests.append(
                ModelTest(
                    name,
                    sql,
                    f"{test} on {column['name']}",
                    _blocking(schema, args),
                    frozenset(reads),
                )
            )
    for test, args in _test_items(entry.get("tests")):
        name, sql, reads = _model_test(relation, test, args)
        tests.append(
            ModelTest(name, sql, f"{test} on {relation}", _blocking(schema, args), frozenset(reads))
        )
    if key := table_doc(schema, {"name": relation, **entry}).unique_key:
        tests.append(
            ModelTest(
                "unique_key",
                _duplicates(relation, list(key)),
                f"one row per ({', '.join(key)}), the grain of {relation}",
                _blocking(schema, None),
            )
        )
    return tests


# ---- the project ------------------------------------------------------------------------


def _load_model(
    relation: str, display: str, sql: str, entry: dict[str, Any], docs_file: str, cache: ParseCache
) -> Model:
    schema, name = relation.split(".")
    parsed = cache.parsed(sql, display)
    if parsed.kind == MACRO and parsed.creates != f"{schema}.{name}":
        raise ModelError(
            f"{display}: a macro file must define CREATE OR REPLACE MACRO {schema}.{name}(...)"
        )
    if parsed.kind not in (MACRO, QUERY):
        raise ModelError(
            f"{display}: a model is one SELECT (or CREATE OR REPLACE MACRO) "
            f"statement, not {parsed.kind.upper()}"
        )
    try:
        tests = _declared_tests(schema, relation, entry)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"{docs_file}: model '{name}': bad test: {error}") from None
    return Model(
        schema=schema,
        name=name,
        file=display,
        sql=sql.strip().rstrip(";"),
        doc=table_doc(schema, {**entry, "name": name}, sql),
        reads=parsed.reads,
        is_macro=parsed.kind == MACRO,
        tests=tuple(tests),
    )


@dataclass(frozen=True)
class ModelProject:
    """Every model of `dbt_like_sql/`, checked and in build (topological) order."""

    root: Path
    models: dict[str, Model] = field(default_factory=dict)  # relation -> model

    @classmethod
    def load(
        cls,
        sources: Iterable[str],
        root: Path | None = None,
        generated: Mapping[str, str] | None = None,
    ) -> ModelProject:
        """`sources`: the schema-qualified tables the Python assets produce (raw.*, metric
        marts), which models may read besides each other. `generated`: relation → SQL of the
        models written from the registry (warehouse/figure_models.py), kept where the project
        has FIGURES_MODEL_FILE; a file of the same name replaces one."""
        root = root or settings.models_dir()
        cache = ParseCache(settings.sql_parse_cache_path())
        docs_by_schema: dict[str, dict[str, Any]] = {}
        files_by_schema: dict[str, list[Path]] = {}
        for folder in sorted(
            p
            for p in root.iterdir()
            if p.is_dir() and p.name != TESTS_FOLDER and not p.name.startswith((".", "_"))
        ):
            docs_path = folder / DOCS_FILE
            try:
                docs = (
                    read_entries(docs_path, f"{root.name}/{folder.name}/{DOCS_FILE}")
                    if docs_path.exists()
                    else {}
                )
            except DocsError as error:
                raise ModelError(str(error)) from None
            docs_by_schema[folder.name] = docs
            files_by_schema[folder.name] = sorted(folder.glob("*.sql"))
        models: dict[str, Model] = {}
        if not (root / FIGURES_MODEL_FILE).exists():
            generated = {}
        for relation, sql in (generated or {}).items():
            schema, name = relation.split(".")
            entry = docs_by_schema.get(schema, {}).get(name, {})
            docs_file = f"{root.name}/{schema}/{DOCS_FILE}"
            models[relation] = _load_model(relation, GENERATED, sql, entry, docs_file, cache)
        for schema, files in files_by_schema.items():
            docs = docs_by_schema[schema]
            for path in files:
                display = f"{root.name}/{schema}/{path.name}"
                sql = path.read_text(encoding="utf-8")
                entry = docs.get(path.stem, {})
                docs_file = f"{root.name}/{schema}/{DOCS_FILE}"
                relation = f"{schema}.{path.stem}"
                models[relation] = _load_model(relation, display, sql, entry, docs_file, cache)
            documented = {n for n, e in docs.items() if e.get("built_by") != PYTHON_BUILT}
            if unknown := sorted(
                documented - {m.name for m in models.values() if m.schema == schema}
            ):
                raise ModelError(
                    f"{root.name}/{schema}/{DOCS_FILE}: documents "
                    f"{unknown}, which have no .sql file in {schema}/ (a table a Python "
                    f"asset builds says built_by: {PYTHON_BUILT})"
                )
        project = cls(root, models)
        known = set(sources) | set(models)
        project._attach_singular_tests(known, cache)
        cache.save()
        for model in project.models.values():
            for relation in sorted(model.reads | {r for t in model.tests for r in t.reads}):
                if relation not in known:
                    raise ModelError(
                        f"{model.file}: refers to {relation}, which is neither a table of "
                        f"the Python assets (raw.<table> of sources/tables.yaml, the metric "
                        f"marts) nor a model in {root.name}/"
                    )
        return project._ordered()

    def _attach_singular_tests(self, known: set[str], cache: ParseCache) -> None:
        """`tests/<name>.sql` returns offending rows; it runs as a check of the model it reads
        (of the one built last, if it reads several; the others are extra dependencies)."""
        folder = self.root / TESTS_FOLDER
        order = list(self._graph().static_order()) if folder.is_dir() else []
        for path in sorted(folder.glob("*.sql")) if folder.is_dir() else ():
            display = f"{self.root.name}/{TESTS_FOLDER}/{path.name}"
            sql = path.read_text(encoding="utf-8")
            reads = cache.parsed(sql, display).reads
            if unknown := sorted(reads - known):
                raise ModelError(
                    f"{display}: refers to {unknown[0]}, which is neither a table "
                    f"of the Python assets nor a model"
                )
            tested = [r for r in order if r in reads]
            if not tested:
                raise ModelError(f"{display}: a singular test must read at least one model")
            model = self.models[tested[-1]]
            test = ModelTest(
                path.stem,
                sql.strip().rstrip(";"),
                leading_comment(sql) or f"singular test {path.name}",
                _blocking(model.schema, None),
                reads - {model.relation},
            )
            if any(t.name == test.name for t in model.tests):
                raise ModelError(f"{display}: {model.relation} already has a test {test.name}")
            self.models[model.relation] = dataclasses.replace(model, tests=(*model.tests, test))

    def _graph(self) -> graphlib.TopologicalSorter[str]:
        graph: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
        for model in self.models.values():
            reads = model.reads | {r for t in model.tests for r in t.reads}
            graph.add(model.relation, *sorted(r for r in reads if r in self.models))
        return graph

    def _ordered(self) -> ModelProject:
        for model in self.models.values():
            names = [t.name for t in model.tests]
            if duplicated := sorted({n for n in names if names.count(n) > 1}):
                raise ModelError(f"{model.file}: two tests share the name {duplicated[0]}")
        try:
            order = list(self._graph().static_order())
        except graphlib.CycleError as error:
            cycle = error.args[1]
            files = " -> ".join(self.models[r].file for r in cycle)
            raise ModelError(f"models depend on each other in a cycle: {files}") from None
        return ModelProject(self.root, {r: self.models[r] for r in order if r in self.models})


def run_test(con: duckdb.DuckDBPyConnection, test: ModelTest) -> TestOutcome:
    failures = con.execute(f"SELECT count(*) FROM ({test.sql})").fetchall()[0][0]
    sample = (
        con.execute(f"SELECT * FROM ({test.sql}) LIMIT {FAILING_ROWS_SHOWN}").df()
        if failures
        else pd.DataFrame()
    )
    return TestOutcome(failures, sample)
