"""dbt-duckdb as `make bench`'s peer: the same SQL models and tests as a dbt project, timed as
`dbt build` in a fresh process, its outputs compared with the refresh's.

`python -m benchmarks.dbt_peer RUNS` (run by `rows`, with the bench's `WAREHOUSE_PATH` and
`SOURCES_PATH`) generates the project from `ModelProject` into a temporary folder and prints
one JSON line. The generated project:

- one model per project model, its SQL unchanged except that each schema-qualified relation it
  reads becomes `{{ ref('<name>') }}` (another model) or `{{ source('<schema>', '<name>') }}`
  (raw tables, the Python-built marts, which dbt reads as the refresh left them);
  `materialized='table'`, `schema='<schema>'`, and a `generate_schema_name` override, so dbt
  writes `staging.x`/`marts.x` as the refresh does;
- the table macro `marts.figures_as_of` runs its own `CREATE OR REPLACE MACRO` statement as-is
  (a `raw_statement` materialization, ordered after `figure_vintages` by a `depends_on`
  comment): dbt-duckdb renders `ref()` with the database name, the file's stem, which a macro
  body would keep and which breaks once the file is renamed or copied;
- each project test as a singular test `tests/<model>__<test>.sql`, its compiled SQL with the
  same rewrite: exactly the project's queries, no generic-test package to download. Severity
  `error` for a blocking test and `warn` otherwise: dbt then skips what reads a model whose
  error test fails, as the refresh keeps the old version and skips the models that read it;
- `profiles.yml` pointing dbt-duckdb at a copy of the warehouse, never the original.

dbt runs with anonymous usage stats off and no packages (no `dbt deps`), so it needs no
network. Threads: 1. On 2 cores, 4 threads measured no faster (docs/benchmarks.md), and the
refresh also builds one model at a time.
"""

import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warehouse import settings

DBT = settings.PROJECT_ROOT / ".venv-dbt" / "bin" / "dbt"
THREADS = 1
GOAL_RATIO = 3.0  # `dbt build` ÷ the SQL models and tests inside the refresh
PROFILE = "crw_peer"
DATABASE = "peer"  # dbt-duckdb's database name: the copy's file stem
JINJA = re.compile(r"\{[{%#]")
# dbt reports `fail` for an error test that finds rows, `warn` for a warn test
FAILED = {True: "fail", False: "warn"}

PROJECT_FILES = {
    "dbt_project.yml": f"""\
name: crw_peer
config-version: 2
profile: {PROFILE}
model-paths: [models]
test-paths: [tests]
macro-paths: [macros]
flags:
  send_anonymous_usage_stats: false
  use_colors: false
models:
  crw_peer:
    +materialized: table
""",
    "macros/generate_schema_name.sql": """\
{% macro generate_schema_name(custom_schema_name, node) -%}
  {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
""",
    "macros/raw_statement.sql": """\
{#- runs the model's SQL as it is: a table macro's CREATE OR REPLACE MACRO statement -#}
{% materialization raw_statement, adapter='duckdb' %}
  {% call statement('main') -%}
    {{ sql }}
  {%- endcall %}
  {{ return({'relations': []}) }}
{% endmaterialization %}
""",
}


def load_project():
    """The project as the code location loads it (`benchmarks.measure._direct_sql` does the
    same): every produced relation, every model and test."""
    from pipelines.definitions import defs
    from warehouse.figure_models import generated_models
    from warehouse.models import ModelProject
    from warehouse.registry import Registry

    graph = defs().resolve_asset_graph()
    produced = {".".join(k.path) for k in graph.get_all_asset_keys()}
    return ModelProject.load(produced, generated=generated_models(Registry.load()))


def _jinja(relation: str, models: dict) -> str:
    """`{{ ref('name') }}` for a model, else `{{ source('schema', 'name') }}`."""
    schema, name = relation.split(".")
    call = f"ref('{name}')" if relation in models else f"source('{schema}', '{name}')"
    return "{{ " + call + " }}"


def _rewrite(sql: str, relations: set[str], models: dict, where: str) -> str:
    """`sql` with each of `relations` (schema-qualified, as the project's parser found them)
    replaced by its `ref()` or `source()` (tests/test_dbt_peer.py checks with sqlglot that
    none is left and that nothing else changed)."""
    if JINJA.search(sql):
        raise ValueError(f"{where}: holds a Jinja delimiter, which dbt would render")
    if not relations:
        return sql
    names = "|".join(re.escape(r) for r in sorted(relations, key=len, reverse=True))
    pattern = re.compile(rf'(?<![\w."])({names})(?![\w"])', re.IGNORECASE)
    return pattern.sub(lambda match: _jinja(match.group(1).lower(), models), sql)


def generate(project, folder: Path, warehouse_copy: Path) -> dict[str, int]:
    """Write the dbt project for `project` into `folder`, its profile on `warehouse_copy`."""
    models = project.models
    names = [m.name for m in models.values()]
    if len(set(names)) != len(names):
        raise ValueError("two models share a name: dbt's ref() needs unique names")
    for path, text in PROJECT_FILES.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    (folder / "profiles.yml").write_text(
        f"{PROFILE}:\n  target: bench\n  outputs:\n    bench:\n      type: duckdb\n"
        f"      path: {json.dumps(str(warehouse_copy))}\n      threads: {THREADS}\n",
        encoding="utf-8",
    )
    sources: dict[str, set[str]] = {}
    tests = 0
    for model in models.values():
        dbt_model = folder / "models" / model.schema / f"{model.name}.sql"
        dbt_model.parent.mkdir(parents=True, exist_ok=True)
        reads = set(model.reads)
        if model.is_macro:
            ordered = "".join(f"-- depends_on: {_jinja(r, models)}\n" for r in sorted(reads))
            body = _rewrite(model.sql, set(), models, model.file)  # as it is, Jinja checked
            header = f"{{{{ config(materialized='raw_statement', schema='{model.schema}') }}}}\n"
            dbt_model.write_text(header + ordered + body + "\n", encoding="utf-8")
        else:
            body = _rewrite(model.sql, reads, models, model.file)
            header = f"{{{{ config(schema='{model.schema}') }}}}\n"
            dbt_model.write_text(header + body + "\n", encoding="utf-8")
        for test in model.tests:
            test_reads = set(test.reads) | {model.relation}
            reads |= test_reads
            severity = "error" if test.blocking else "warn"
            body = _rewrite(test.sql, test_reads, models, f"{model.file}: test {test.name}")
            path = folder / "tests" / f"{model.name}__{test.name}.sql"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{{{{ config(severity='{severity}') }}}}\n{body}\n", encoding="utf-8")
            tests += 1
        for relation in reads - set(models):
            schema, name = relation.split(".")
            sources.setdefault(schema, set()).add(name)
    lines = ["version: 2", "sources:"]
    for schema, tables in sorted(sources.items()):
        lines += [f"  - name: {schema}", f"    schema: {schema}", "    tables:"]
        lines += [f"      - name: {name}" for name in sorted(tables)]
    (folder / "models" / "_sources.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"models": len(models), "tests": tests}


def _dbt_env() -> dict[str, str]:
    """The bench's environment, dbt's telemetry off, without the Python variables (a
    PYTHONPATH onto this project) that would reach into dbt's own venv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return {**env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}


def build(folder: Path, threads: int) -> float:
    """Wall time of one `dbt build` process; a failed one stops the bench with dbt's output."""
    command = [str(DBT), "build", "--project-dir", str(folder), "--profiles-dir", str(folder)]
    began = time.perf_counter()
    completed = subprocess.run(
        [*command, "--threads", str(threads)],
        cwd=folder,
        env=_dbt_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    if completed.returncode:
        raise SystemExit(f"`dbt build` failed:\n{completed.stdout[-4000:]}")
    return seconds


def _columns(con, database: str, schema: str, name: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [database, schema, name],
    ).fetchall()


def _macro(con, database: str, schema: str, name: str) -> list[tuple[str]]:
    return con.execute(
        "SELECT macro_definition FROM duckdb_functions() WHERE database_name = ? "
        "AND schema_name = ? AND function_name = ?",
        [database, schema, name],
    ).fetchall()


def verify(project, folder: Path, copy: Path, original: Path) -> dict[str, int]:
    """Every model dbt built against the refresh's (columns, rows as multisets, the macro's
    definition), and every test's outcome against the project's own query on the original."""
    import duckdb

    from warehouse.models import run_test
    from warehouse.store import sql_literal

    results = json.loads((folder / "target" / "run_results.json").read_text())["results"]
    status = {r["unique_id"].split(".")[-1]: r for r in results}
    compared = differing = 0
    problems = []
    with contextlib.closing(duckdb.connect(str(copy))) as con:
        con.execute(f"ATTACH {sql_literal(str(original))} AS original (READ_ONLY)")
        for model in project.models.values():
            outcome = status.get(model.name, {}).get("status")
            if outcome != "success":
                problems.append(f"model {model.relation}: {outcome}")
                continue
            compared += 1
            if model.is_macro:
                ours = _macro(con, "original", model.schema, model.name)
                same = ours and ours == _macro(con, DATABASE, model.schema, model.name)
            else:
                relation = f"{model.schema}.{model.name}"
                columns = _columns(con, DATABASE, model.schema, model.name)
                same = columns == _columns(con, "original", model.schema, model.name) and all(
                    con.execute(
                        f"SELECT count(*) FROM (SELECT * FROM {a}.{relation} "
                        f"EXCEPT ALL SELECT * FROM {b}.{relation})"
                    ).fetchall()[0][0]
                    == 0
                    for a, b in ((DATABASE, "original"), ("original", DATABASE))
                )
            if not same:
                differing += 1
                problems.append(f"{model.relation} differs from the refresh's")
        con.execute("USE original")
        for model in project.models.values():
            for test in model.tests:
                expected = run_test(con, test).failures
                result = status.get(f"{model.name}__{test.name}", {})
                want = FAILED[test.blocking] if expected else "pass"
                if result.get("status") != want or result.get("failures") != expected:
                    problems.append(
                        f"test {model.name}__{test.name}: dbt {result.get('status')} "
                        f"({result.get('failures')} rows), the project's {want} ({expected})"
                    )
    if problems:
        raise SystemExit("dbt's outputs are not the refresh's:\n" + "\n".join(problems))
    return {"compared": compared, "differing": differing}


def measure(runs: int, threads: int = THREADS) -> dict:
    """`dbt build` on a copy of the bench's warehouse: one untimed run (dbt parses the project
    and writes its partial-parse cache, as a second run of a user's would find), then `runs`
    timed ones; the outputs of the last are verified."""
    original = settings.warehouse_path()
    project = load_project()
    with tempfile.TemporaryDirectory(prefix="crw-dbt-") as tmp:
        folder = Path(tmp)
        copy = folder / f"{DATABASE}.duckdb"
        shutil.copyfile(original, copy)
        counts = generate(project, folder, copy)
        seconds = [build(folder, threads) for _ in range(runs + 1)][1:]
        return {
            **counts,
            **verify(project, folder, copy, original),
            "threads": threads,
            "seconds": seconds,
        }


def rows(runs: int, sql_seconds: float, env: dict[str, str]) -> list[str]:
    """The bench table's dbt rows (`env`: the warehouse the refresh rows built), or none with
    a message when `make dbt-peer` has not installed dbt."""
    if not DBT.exists():
        print(
            f"dbt-duckdb is not installed ({DBT.relative_to(settings.PROJECT_ROOT)} is "
            "absent; `make dbt-peer`): no dbt rows",
            flush=True,
        )
        return []
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.dbt_peer", str(runs)],
        env={**{k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise SystemExit(f"the dbt-duckdb peer failed:\n{completed.stderr[-4000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    dbt = statistics.median(result["seconds"])
    ratio = dbt / sql_seconds
    met = "met" if ratio >= GOAL_RATIO else "**not met**"
    values = result["seconds"]
    threads = f"{result['threads']} thread{'s' * (result['threads'] > 1)}"
    return [
        "| **dbt-duckdb: the same SQL models and tests** | |",
        f"| whole process: `dbt build` ({result['models']} models, {result['tests']} tests, "
        f"{threads}) | {dbt:.2f} [{min(values):.2f}–{max(values):.2f}] |",
        f"| … its outputs compared with the refresh's (columns, rows, the macro) | "
        f"{result['compared']} compared, {result['differing']} differing |",
        f"| the SQL assets through Dagster (SQL models + SQL tests above) | {sql_seconds:.2f} |",
        f"| `dbt build` ÷ SQL assets through Dagster (goal ≥ {GOAL_RATIO:g}) | "
        f"{ratio:.2f} ({met}) |",
    ]


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]))))
