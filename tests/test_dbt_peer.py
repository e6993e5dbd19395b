"""The dbt project the bench generates (benchmarks/dbt_peer.py) is the project's own SQL: every
model and test, each relation it reads as `ref()`/`source()` and nothing else changed. No dbt
needed: the files are read back with sqlglot."""

import re
from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp

from benchmarks import dbt_peer

CALL = re.compile(r"\{\{ (ref|source)\(([^)]*)\) \}\}")
CONFIG = re.compile(r"\A\{\{ config\((.*)\) \}\}\n")


@pytest.fixture(scope="module")
def peer(tmp_path_factory):
    project = dbt_peer.load_project()
    folder = tmp_path_factory.mktemp("dbt")
    counts = dbt_peer.generate(project, folder, folder / "peer.duckdb")
    return project, folder, counts


def _relation(call: re.Match[str], project) -> str:
    """The schema-qualified name a `ref()`/`source()` stands for."""
    args = [a.strip(" '") for a in call.group(2).split(",")]
    if call.group(1) == "source":
        return ".".join(args)
    (model,) = [m for m in project.models.values() if m.name == args[0]]
    return model.relation


def _read_back(path: Path, project) -> tuple[str, str, str, set[str]]:
    """(config arguments, the SQL as generated, the same with each call replaced by the name
    it stands for, the names the calls stood for)."""
    text = path.read_text(encoding="utf-8")
    config = CONFIG.match(text)
    assert config, f"{path.name} starts with its config()"
    body = text[config.end() :].rstrip("\n")
    called = {_relation(c, project) for c in CALL.finditer(body)}
    restored = CALL.sub(lambda c: _relation(c, project), body)
    return config.group(1), body, restored, called


def _qualified_tables(sql: str) -> set[str]:
    """Schema-qualified tables the SQL reads, once every call is a bare placeholder."""
    parsed = sqlglot.parse_one(CALL.sub("placeholder", sql), read="duckdb")
    return {f"{t.db}.{t.name}" for t in parsed.find_all(exp.Table) if t.db}


def test_every_model_and_test_is_generated(peer):
    project, folder, counts = peer
    models = {p.stem for p in (folder / "models").glob("*/*.sql")}
    tests = {p.stem for p in (folder / "tests").glob("*.sql")}
    assert models == {m.name for m in project.models.values()}
    assert tests == {f"{m.name}__{t.name}" for m in project.models.values() for t in m.tests}
    assert counts == {"models": len(models), "tests": len(tests)}


def test_each_model_is_its_sql_with_refs_and_sources(peer):
    project, folder, _ = peer
    sources = yaml.safe_load((folder / "models" / "_sources.yml").read_text())["sources"]
    declared = {f"{s['schema']}.{t['name']}" for s in sources for t in s["tables"]}
    for model in project.models.values():
        path = folder / "models" / model.schema / f"{model.name}.sql"
        config, generated, sql, called = _read_back(path, project)
        assert f"schema='{model.schema}'" in config
        assert called - set(project.models) <= declared
        if model.is_macro:  # its statement as it is, ordered by depends_on comments
            depends = "".join(f"-- depends_on: {r}\n" for r in sorted(model.reads))
            assert "raw_statement" in config and sql == depends + model.sql
            continue
        assert sql == model.sql, model.relation  # only the names were rewritten
        assert called == model.reads, model.relation
        assert not _qualified_tables(generated), model.relation


def test_each_test_is_its_query_with_refs_and_its_severity(peer):
    project, folder, _ = peer
    for model in project.models.values():
        for test in model.tests:
            path = folder / "tests" / f"{model.name}__{test.name}.sql"
            config, generated, sql, called = _read_back(path, project)
            assert config == f"severity='{'error' if test.blocking else 'warn'}'"
            assert sql == test.sql and called == test.reads | {model.relation}, path.name
            assert not _qualified_tables(generated), path.name
