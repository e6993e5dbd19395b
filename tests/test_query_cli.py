"""`crw query` and `crw tables`: read-only enforcement, output formats, error messages."""

import decimal
import hashlib
import json
import os
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from pipelines.cli import main
from warehouse.query import Result, render
from warehouse.store import WarehouseBuild


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    # statements naming relative files ('out.csv') resolve in the test's own folder
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "cloud.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    frame = pd.DataFrame(
        {
            "entity": ["software", "devices", "total"],
            "entity_zh": ["软件", "设备", "总计"],
            "value": [913_000.5, 722_000.0, None],
            "period": ["2022", "2022", "2022"],
        }
    )
    build = WarehouseBuild(path)
    with build as con:
        build.replace_table(
            "raw", "it_spend", frame=frame, description="Global IT spending by segment."
        )
        con.execute("CREATE SCHEMA marts")
        con.execute(
            "CREATE VIEW marts.software AS SELECT * FROM raw.it_spend WHERE entity = 'software'"
        )
        con.execute("COMMENT ON VIEW marts.software IS 'Software only.'")
    return path


def _checksum(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_query_prints_an_aligned_table(warehouse, capsys):
    assert main(["query", "SELECT entity, entity_zh, value FROM raw.it_spend ORDER BY 1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["entity", "entity_zh", "value"]
    assert lines[2].split() == ["devices", "设备", "722000"]  # a DOUBLE, printed without .0
    assert lines[3].split() == ["software", "软件", "913000.5"]
    assert lines[4].split() == ["total", "总计", "NULL"]
    assert lines[-1] == "(3 rows)"
    # numbers are right-aligned; CJK characters count two columns wide
    assert (
        len({len(line) + sum(1 for c in line if "\u4e00" <= c <= "\u9fff") for line in lines[1:4]})
        == 1
    )


def test_query_csv_and_json(warehouse, capsys):
    sql = "SELECT entity_zh, value, period FROM raw.it_spend ORDER BY value NULLS LAST"
    assert main(["query", sql, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "entity_zh,value,period",
        "设备,722000.0,2022",
        "软件,913000.5,2022",
        "总计,,2022",
    ]
    assert main(["query", sql + " LIMIT 1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"entity_zh": "设备", "value": 722000.0, "period": "2022"}
    ]


def test_json_dates_and_decimals(warehouse, capsys):
    assert (
        main(
            ["query", "SELECT DATE '2023-05-01' AS d, 1.25::DECIMAL(5, 2) AS x", "--format", "json"]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == [{"d": "2023-05-01", "x": 1.25}]


@pytest.mark.parametrize(
    "sql, kind",
    [
        ("INSERT INTO raw.it_spend (entity) VALUES ('x')", "INSERT"),
        ("DELETE FROM raw.it_spend", "DELETE"),
        ("DROP TABLE raw.it_spend", "DROP"),
        ("CREATE TABLE raw.x AS SELECT 1", "CREATE"),
        ("COPY raw.it_spend TO 'out.csv'", "COPY"),
        ("ATTACH 'other.duckdb' AS other", "ATTACH"),
        ("SET threads = 1", "SET"),
    ],
)
def test_write_statements_are_refused(warehouse, capsys, sql, kind):
    before = _checksum(warehouse)
    files = sorted(p.name for p in warehouse.parent.iterdir())
    assert main(["query", sql]) == 1
    err = capsys.readouterr().err
    assert f"refused: {kind} statements are not allowed" in err
    assert "Traceback" not in err
    assert _checksum(warehouse) == before
    # nothing written beside it either ('out.csv', 'other.duckdb')
    assert sorted(p.name for p in warehouse.parent.iterdir()) == files


def test_one_statement_at_a_time(warehouse, capsys):
    assert main(["query", "SELECT 1; DROP TABLE raw.it_spend"]) == 1
    assert "expected exactly one SQL statement, got 2" in capsys.readouterr().err


def test_the_connection_itself_is_read_only(warehouse, capsys):
    # EXPLAIN passes the first guard, but ANALYZE would execute the insert: DuckDB refuses.
    assert main(["query", "EXPLAIN ANALYZE INSERT INTO raw.it_spend (entity) VALUES ('x')"]) == 1
    assert "read-only" in capsys.readouterr().err


def test_bad_sql_gives_duckdbs_error_not_a_traceback(warehouse, capsys):
    assert main(["query", "SELEC 1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("crw query: Parser Error: syntax error")
    assert main(["query", "SELECT nope FROM raw.it_spend"]) == 1
    err = capsys.readouterr().err
    assert "Binder Error" in err and 'column "nope"' in err and "Traceback" not in err


def test_missing_warehouse_says_how_to_build_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "none.duckdb"))
    assert main(["query", "SELECT 1"]) == 1
    assert "no warehouse yet; run `make run` first" in capsys.readouterr().err


def test_tables_lists_row_counts_and_descriptions(warehouse, capsys):
    assert main(["tables", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "schema,table,kind,rows,description",
        "marts,software,view,1,Software only.",
        "raw,it_spend,table,3,Global IT spending by segment.",
    ]


def _python(code: str, warehouse, timeout: float) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter reading `warehouse`, as the console script would."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse)},
        timeout=timeout,
    )


def test_console_script_starts_without_dagster_or_pandas(warehouse):
    code = (
        "import sys; from pipelines.cli import main; rc = main(['query', 'SELECT 42 AS x']);"
        "assert not {'dagster', 'pandas'} & set(sys.modules), 'heavy import'; sys.exit(rc)"
    )
    done = _python(code, warehouse, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2].strip() == "42"


@pytest.mark.parametrize(
    "value, printed",
    [
        (3e18, "3000000000000000000"),
        (15531.0, "15531"),
        (0.1 + 0.2, "0.3"),  # 0.30000000000000004 in binary
        (-2.1000000000000014, "-2.1"),
        (1.552e20, "155200000000000000000"),
        (1e-7, "0.0000001"),
        (28.4644194757, "28.4644194757"),
        (12, "12"),
        (decimal.Decimal("1.50"), "1.50"),  # a DECIMAL keeps the scale of its type
        (True, "true"),
    ],
)
def test_table_format_prints_numbers_positionally_without_noise(value, printed):
    assert render(Result(("x",), [(value,)])).splitlines()[2].strip() == printed


def test_table_format_cuts_long_cells_only_when_asked():
    result = Result(("note",), [("软件" * 30,)])
    assert render(result, "table", max_width=9).splitlines()[2] == "软件软件…"
    assert render(result, "csv", max_width=9).splitlines()[1] == "软件" * 30


def test_a_huge_result_is_cut_at_the_limit_in_bounded_memory(warehouse):
    # 5e7 rows as CSV died with a MemoryError before rows streamed; now the first 1,000
    # are fetched and the process stays small.
    code = (
        "import resource, sys; from pipelines.cli import main;"
        "rc = main(['query', 'SELECT range, range::VARCHAR AS t FROM range(50000000)',"
        " '--format', 'csv']);"
        "print('maxrss_mb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,"
        " file=sys.stderr); sys.exit(rc)"
    )
    done = _python(code, warehouse, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "range,t" and lines[-1] == "999,999" and len(lines) == 1001
    assert "showed the first 1000 rows; --limit N or --no-limit prints more" in done.stderr
    # Fetched whole, these rows take over 1.5 GB; streamed, the process peaks at 80-90 MB on
    # a quiet machine (DuckDB's threads run a few chunks ahead of the reader, more under load).
    maxrss = int(done.stderr.split("maxrss_mb")[1].split()[0])
    assert maxrss < 600, f"{maxrss} MB for 1,000 rows"


def test_limit_and_no_limit(warehouse, capsys):
    assert main(["query", "FROM range(5)", "--limit", "2"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[-1] == "(2 rows, more not shown)"
    assert main(["query", "FROM range(5000)", "--no-limit", "--format", "csv"]) == 0
    out = capsys.readouterr()
    assert len(out.out.splitlines()) == 5001 and out.err == ""


def test_a_query_past_its_timeout_is_stopped_with_one_line(warehouse, capsys):
    assert main(["query", "SELECT count(*) FROM range(1000000000000)", "--timeout", "0.5"]) == 1
    assert capsys.readouterr().err == (
        "crw query: the query ran longer than 0.5 s and was stopped; "
        "--timeout SECONDS allows longer\n"
    )


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_output_exports_the_whole_result(warehouse, tmp_path, capsys, fmt):
    out = tmp_path / "exports" / f"spend.{fmt}"
    out.parent.mkdir()
    sql = "SELECT entity_zh, value FROM raw.it_spend ORDER BY value NULLS LAST"
    assert main(["query", sql, "--output", str(out), "--format", fmt]) == 0
    assert capsys.readouterr().err == f"wrote 3 rows to {out}\n"
    assert duckdb.sql(f"SELECT entity_zh, value FROM '{out}'").fetchall() == [
        ("设备", 722000.0),
        ("软件", 913000.5),
        ("总计", None),
    ]
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temporary left


def test_export_refuses_what_it_cannot_write(warehouse, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main(["query", "EXPLAIN SELECT 1", "--output", str(out)]) == 1
    assert "EXPLAIN statements are not allowed" in capsys.readouterr().err
    assert main(["query", "SELECT 1", "--output", str(out), "--format", "table"]) == 1
    assert "--output writes csv, json, parquet, xlsx, not table" in capsys.readouterr().err
    assert main(["query", "SELECT 1", "--format", "parquet"]) == 1
    assert "--format parquet needs --output FILE" in capsys.readouterr().err
    assert not out.exists()


def test_pivot_runs(warehouse, capsys):
    assert main(["query", "PIVOT raw.it_spend ON period USING sum(value)", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split(",")[-1] == "2022"
