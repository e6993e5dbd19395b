"""`crw export TABLE`: a whole table as CSV, Parquet or XLSX, read back with other readers
(DuckDB's CSV and Parquet readers, openpyxl for XLSX) and compared with the table."""

import datetime as dt
import decimal

import duckdb
import openpyxl
import pytest

from pipelines.cli import main


def _plain(value):
    """A value as every reader gives it back: numbers as float, dates as dates."""
    if isinstance(value, decimal.Decimal | int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    if isinstance(value, list):
        return str(value)
    return value


def _xlsx_rows(path):
    sheet = openpyxl.load_workbook(path, read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def published(built_warehouse, monkeypatch, tmp_path):
    monkeypatch.setenv("WAREHOUSE_PATH", str(built_warehouse))
    monkeypatch.chdir(tmp_path)
    return built_warehouse


def _sorted(rows):
    return sorted(rows, key=str)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_export_writes_the_whole_table(published, tmp_path, capsys, fmt):
    out = tmp_path / f"it_spend.{fmt}"
    assert main(["export", "it_spend", "-o", str(out)]) == 0  # format from the suffix
    with duckdb.connect(str(published), read_only=True) as con:
        cursor = con.execute("SELECT * FROM marts.it_spend")
        columns = [d[0] for d in cursor.description]
        table = cursor.fetchall()
        as_text = con.execute("SELECT COLUMNS(*)::VARCHAR FROM marts.it_spend").fetchall()
    assert capsys.readouterr().err == f"wrote marts.it_spend ({len(table)} rows) to {out}\n"
    if fmt == "xlsx":
        header, *rows = _xlsx_rows(out)
        assert list(header) == columns
        assert _sorted(rows) == _sorted(tuple(map(_plain, r)) for r in table)
    elif fmt == "csv":
        back = duckdb.execute(f"SELECT * FROM read_csv('{out}', all_varchar = true)")
        assert [d[0] for d in back.description] == columns
        rows = back.fetchall()
        assert _sorted(rows) == _sorted(as_text)
    else:
        back = duckdb.execute(f"SELECT * FROM '{out}'")
        assert [d[0] for d in back.description] == columns
        rows = back.fetchall()
        assert _sorted(rows) == _sorted(table)
    # the report's printed 2023 figures (section 1.1, Gartner): software US$856,029 mn, +9.3 %
    segment, period = columns.index("segment"), columns.index("period")
    software = [r for r in rows if r[segment] == "software" and str(r[period]) == "2023"]
    assert [
        (r[columns.index("spend_usd_mn")], r[columns.index("growth_pct")]) for r in software
    ] in (
        [(856029.0, 9.3)],
        [("856029.0", "9.3")],
    )


@pytest.fixture
def small(tmp_path, monkeypatch):
    path = tmp_path / "cloud.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    monkeypatch.chdir(tmp_path)
    with duckdb.connect(str(path)) as con:  # a plain file, as an unpublished warehouse is
        con.execute("CREATE SCHEMA marts")
        con.execute(
            "CREATE TABLE marts.notes AS SELECT * FROM (VALUES "
            "('=1+1', 'http://example.org', DATE '2023-06-30', 1.5::DECIMAL(9, 2)), "
            "('张北', NULL, NULL, NULL)) AS t(note, link, day, amount)"
        )
    return path


def test_xlsx_keeps_text_as_text_and_types_as_types(small, tmp_path):
    out = tmp_path / "notes.xlsx"
    assert main(["export", "marts.notes", "--format", "xlsx", "-o", str(out)]) == 0
    assert _xlsx_rows(out) == [
        ("note", "link", "day", "amount"),
        ("=1+1", "http://example.org", dt.datetime(2023, 6, 30), 1.5),
        ("张北", None, None, None),
    ]
    cell = openpyxl.load_workbook(out)["data"]["A2"]
    assert cell.data_type == "s"  # a string, not a formula


@pytest.mark.parametrize(
    "name",
    ["notes; DROP TABLE marts.notes", 'notes" UNION SELECT 1 --', "marts.missing", "raw.notes"],
)
def test_only_catalog_tables_are_exported(small, tmp_path, capsys, name):
    out = tmp_path / "x.csv"
    assert main(["export", name, "-o", str(out)]) == 1
    assert capsys.readouterr().err.startswith(f"crw export: no table {name!r} in the warehouse")
    assert not out.exists()
    with duckdb.connect(str(small), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.notes").fetchall() == [(2,)]


def test_a_bare_name_and_an_unknown_suffix(small, tmp_path, capsys):
    out = tmp_path / "notes.txt"
    assert main(["export", "NOTES", "-o", str(out)]) == 0  # catalog lookup ignores case
    assert "wrote marts.notes (2 rows)" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8").splitlines()[0] == "note,link,day,amount"  # CSV


def test_xlsx_refuses_more_rows_than_a_sheet_holds(small, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("warehouse.xlsx.MAX_DATA_ROWS", 1)  # Excel's 1,048,575, made small
    out = tmp_path / "notes.xlsx"
    assert main(["export", "notes", "-o", str(out)]) == 1
    assert capsys.readouterr().err == (
        "crw export: more than 1 rows do not fit in an Excel sheet; export CSV or Parquet instead\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cloud.duckdb"]  # no partial file
