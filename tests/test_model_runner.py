"""The model runner on small synthetic model folders: dependencies come from the SQL, mistakes
fail when the definitions load with the file named, and docs and tests are read from beside
the SQL."""

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse import settings
from warehouse.models import ModelError, ModelProject, run_test

PRODUCED = ["raw.it_spend", "raw.units"]  # tables the Python assets write


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def load(tmp_path: Path, files: dict[str, str]) -> ModelProject:
    return ModelProject.load(PRODUCED, write(tmp_path / "dbt_like_sql", files))


def test_dependencies_are_the_tables_the_sql_reads(tmp_path):
    project = load(
        tmp_path,
        {
            "staging/stg_it_spend.sql": "-- IT spend, staged.\n"
            "SELECT * FROM raw.it_spend JOIN raw.units USING (unit)",
            "marts/spend.sql": "WITH s AS (SELECT * FROM staging.stg_it_spend)\n"
            "SELECT * FROM s WHERE metric IN (SELECT 'spend' FROM range(1))",
            "marts/as_of.sql": "CREATE OR REPLACE MACRO marts.as_of(d) AS TABLE "
            "SELECT * FROM marts.spend",
            "marts/uses_macro.sql": "SELECT * FROM marts.as_of(DATE '2023-01-01')",
        },
    )
    models = project.models
    assert list(models) == [
        "staging.stg_it_spend",
        "marts.spend",
        "marts.as_of",
        "marts.uses_macro",
    ]  # build order
    assert models["staging.stg_it_spend"].reads == {"raw.it_spend", "raw.units"}
    assert models["marts.spend"].reads == {"staging.stg_it_spend"}  # the CTE is no table
    assert models["marts.as_of"].is_macro and models["marts.as_of"].reads == {"marts.spend"}
    assert models["marts.uses_macro"].reads == {"marts.as_of"}
    assert models["staging.stg_it_spend"].description == "IT spend, staged."


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"marts/a.sql": "SELECT * FROM raw.it_spnd"},
            "dbt_like_sql/marts/a.sql: refers to raw.it_spnd, which is neither a table",
        ),
        (
            {"marts/a.sql": "SELECT * FROM staging.nothing"},
            "dbt_like_sql/marts/a.sql: refers to staging.nothing",
        ),
        (
            {"marts/a.sql": "SELECT * FROM it_spend"},
            "dbt_like_sql/marts/a.sql: refers to 'it_spend' without a schema",
        ),
        (
            {"marts/a.sql": "SELECT * FROM marts.b", "marts/b.sql": "SELECT * FROM marts.a"},
            "cycle: dbt_like_sql/marts/",
        ),
        ({"marts/a.sql": "SELECT * FROM marts.a"}, "cycle: dbt_like_sql/marts/a.sql"),
        ({"marts/a.sql": "SELEC 1"}, "dbt_like_sql/marts/a.sql: is not valid DuckDB SQL"),
        ({"marts/a.sql": "SELECT 1; SELECT 2"}, "dbt_like_sql/marts/a.sql: must hold exactly one"),
        (
            {"marts/a.sql": "DROP TABLE raw.it_spend"},
            "dbt_like_sql/marts/a.sql: a model is one SELECT",
        ),
        (
            {"marts/a.sql": "CREATE MACRO marts.a(x) AS TABLE SELECT 1"},
            "CREATE OR REPLACE MACRO marts.a(...)",
        ),
        (
            {"marts/a.sql": "SELECT 1 AS x", "marts/_models.yml": "models:\n  - name: b\n"},
            "dbt_like_sql/marts/_models.yml: documents ['b'], which have no .sql file",
        ),
        (
            {
                "marts/a.sql": "SELECT 1 AS x",
                "marts/_models.yml": "models:\n  - name: a\n    columns:\n      - name: x\n"
                "        tests:\n          - relationships: {to: marts.nowhere, field: x}\n",
            },
            "dbt_like_sql/marts/a.sql: refers to marts.nowhere",
        ),
        (
            {
                "marts/a.sql": "SELECT 1 AS x",
                "marts/_models.yml": "models:\n  - name: a\n    columns:\n      - name: x\n"
                "        tests: [unique_ish]\n",
            },
            "model 'a': bad test: unknown column test 'unique_ish'",
        ),
        (
            {"marts/a.sql": "SELECT 1 AS x", "tests/t.sql": "SELECT * FROM raw.it_spend"},
            "dbt_like_sql/tests/t.sql: a singular test must read at least one model",
        ),
    ],
)
def test_mistakes_fail_when_the_definitions_load_naming_the_file(tmp_path, files, message):
    with pytest.raises(ModelError, match=re.escape(message)):
        load(tmp_path, files)


DOCS = """\
models:
  - name: figures
    description: Figures, documented in YAML.
    columns:
      - name: id
        description: The key.
        tests: [unique, not_null]
      - name: share
        tests: [{range: {min: 0, max: 100}}]
      - name: unit
        tests: [{accepted_values: {values: [percent]}}]
      - name: kind
        tests: [{relationships: {to: marts.kinds, field: kind, severity: error}}]
    tests:
      - unique_combination: [id, unit]
"""


def test_docs_and_tests_beside_the_sql_find_offending_rows(tmp_path):
    project = load(
        tmp_path,
        {
            "marts/kinds.sql": "SELECT 'a' AS kind",
            "marts/figures.sql": "-- ignored: the YAML describes this model\n"
            "SELECT * FROM (VALUES (1, 50.0, 'percent', 'a'),"
            " (1, 150.0, 'percent', 'b'), (NULL, 5.0, 'USD', 'a'))"
            " AS t(id, share, unit, kind)",
            "marts/_models.yml": DOCS,
            "tests/no_big_shares.sql": "-- Shares stay below 100.\n"
            "SELECT * FROM marts.figures JOIN marts.kinds USING (kind) "
            "WHERE share > 100",
        },
    )
    model = project.models["marts.figures"]
    assert model.description == "Figures, documented in YAML."
    assert model.column_docs == {"id": "The key."}
    tests = {t.name: t for t in model.tests}
    assert set(tests) == {
        "unique_id",
        "not_null_id",
        "range_share",
        "accepted_values_unit",
        "relationships_kind_kinds",
        "unique_combination_id_unit",
        "no_big_shares",
    }
    assert tests["relationships_kind_kinds"].reads == {"marts.kinds"}
    assert tests["relationships_kind_kinds"].blocking  # severity: error
    assert not tests["unique_id"].blocking  # marts warn by default
    assert tests["no_big_shares"].description == "Shares stay below 100."

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    for relation in ("marts.kinds", "marts.figures"):
        con.execute(f"CREATE TABLE {relation} AS {project.models[relation].sql}")
    failures = {name: run_test(con, test).failures for name, test in tests.items()}
    assert failures == {
        "unique_id": 2,
        "not_null_id": 1,
        "range_share": 1,
        "accepted_values_unit": 1,
        "relationships_kind_kinds": 1,
        "unique_combination_id_unit": 2,
        "no_big_shares": 0,
    }
    sample = run_test(con, tests["unique_id"]).sample
    assert sample["share"].tolist() == [50.0, 150.0]  # whole offending rows, not just keys


def test_singular_tests_attach_to_the_model_built_last(tmp_path):
    project = load(
        tmp_path,
        {
            "staging/a.sql": "SELECT 1 AS x FROM raw.it_spend",
            "marts/b.sql": "SELECT * FROM staging.a",
            "tests/b_covers_a.sql": "SELECT * FROM staging.a "
            "WHERE x NOT IN (SELECT x FROM marts.b)",
        },
    )
    assert [t.name for t in project.models["marts.b"].tests] == ["b_covers_a"]
    assert project.models["marts.b"].tests[0].reads == {"staging.a"}
    assert project.models["staging.a"].tests == ()


def test_staging_tests_block_by_default(tmp_path):
    project = load(
        tmp_path,
        {
            "staging/a.sql": "SELECT 1 AS x FROM raw.it_spend",
            "staging/_models.yml": "models:\n  - name: a\n    columns:\n      - name: x\n"
            "        tests: [not_null, {unique: {severity: warn}}]\n",
        },
    )
    blocking = {t.name: t.blocking for t in project.models["staging.a"].tests}
    assert blocking == {"not_null_x": True, "unique_x": False}


def test_the_parse_cache_follows_each_files_text(tmp_path, monkeypatch):
    """What a file parsed to is kept beside the warehouse file, keyed on the file's text: a
    second load reads it back without importing sqlglot, and an edit is parsed again."""
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "warehouse" / "cloud.duckdb"))
    (tmp_path / "warehouse").mkdir()
    files = {"marts/a.sql": "SELECT * FROM raw.it_spend"}
    assert load(tmp_path, files).models["marts.a"].reads == {"raw.it_spend"}
    assert settings.sql_parse_cache_path().parent == tmp_path / "warehouse"
    assert settings.sql_parse_cache_path().exists()
    warm = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from warehouse.models import ModelProject; "
            f"p = ModelProject.load({PRODUCED!r}, Path({str(tmp_path / 'dbt_like_sql')!r})); "
            "print(sorted(p.models['marts.a'].reads), 'sqlglot' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert warm.stdout.split("] ")[-1].strip() == "False", warm.stdout
    assert "['raw.it_spend']" in warm.stdout
    edited = load(tmp_path, {"marts/a.sql": "SELECT * FROM raw.units"})
    assert edited.models["marts.a"].reads == {"raw.units"}
