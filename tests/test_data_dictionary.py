"""The marts' data dictionary: every table and column documented (in _models.yml, stored as
DuckDB comments), every table's unique key unique, and `crw describe` printing it. The raw
tables' column docs come from tables.yaml alone."""

import pytest

from pipelines.cli import main
from warehouse.docs import schema_docs
from warehouse.registry import Registry, RegistryError
from warehouse.schemas import column_docs
from warehouse.store import quote


def _marts_tables(db) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
        ).fetchall()
    ]


def test_every_marts_table_and_column_has_a_comment(db):
    tables = db.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
        "AND coalesce(comment, '') = ''"
    ).fetchall()
    columns = db.execute(
        "SELECT table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND coalesce(comment, '') = '' ORDER BY 1"
    ).fetchall()
    assert tables == []
    assert [c for (c,) in columns] == []


def test_every_documented_column_exists(db):
    """Docs follow the tables: a renamed or dropped column leaves no stale entry behind."""
    present = set(
        db.execute(
            "SELECT table_name || '.' || column_name FROM duckdb_columns() "
            "WHERE schema_name = 'marts'"
        ).fetchall()
    )
    documented = {
        (f"{name}.{column}",)
        for name, doc in schema_docs("marts").items()
        for column in doc.columns
    }
    assert documented - present == set()


def test_every_marts_table_states_its_grain_and_its_key_is_unique(db):
    docs = schema_docs("marts")
    for table in _marts_tables(db):
        doc = docs[table]
        assert doc.grain and doc.unique_key, table
        key = ", ".join(quote(c) for c in doc.unique_key)
        duplicates = db.execute(
            f"SELECT {key}, count(*) FROM marts.{quote(table)} GROUP BY ALL HAVING count(*) > 1"
        ).fetchall()
        assert duplicates == [], (table, doc.unique_key)


def test_intelligent_compute_has_one_row_per_cited_source(db):
    """Two sources state China's 2023 compute: two rows, told apart by data_source."""
    rows = db.execute(
        "SELECT data_source, compute_eflops FROM marts.intelligent_compute "
        "WHERE period = '2023' ORDER BY data_source"
    ).fetchall()
    assert len(rows) == 2
    assert len({source for source, _ in rows}) == 2


def test_describe_prints_grain_and_columns_with_type_unit_description(
    built_warehouse, monkeypatch, capsys
):
    monkeypatch.setenv("WAREHOUSE_PATH", str(built_warehouse))
    assert main(["describe", "it_spend"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("marts.it_spend: 12 rows\n")
    assert "Grain: one row per segment, period, forecast flag and cited source of a report." in out
    assert "Unique key: (report_id, segment, period, is_forecast, data_source)." in out
    spend = next(line for line in out.splitlines() if line.startswith("spend_usd_mn "))
    assert spend.split()[:4] == ["spend_usd_mn", "DOUBLE", "USD", "million"]
    assert spend.endswith("Spend.")


def test_describe_json_and_unknown_table(built_warehouse, monkeypatch, capsys):
    monkeypatch.setenv("WAREHOUSE_PATH", str(built_warehouse))
    assert main(["describe", "marts.dim_entities", "--format", "json"]) == 0
    assert '"column": "is_group"' in capsys.readouterr().out
    assert main(["describe", "no_such_table"]) == 1
    assert "no table 'no_such_table'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("entity", "is_group"), [("top3_amazon_microsoft_alibaba", True), ("alibaba_cloud", False)]
)
def test_combined_entities_are_explained(db, entity, is_group):
    flag, note = db.execute(
        "SELECT is_group, note FROM marts.dim_entities WHERE entity = ?", [entity]
    ).fetchall()[0]
    assert flag is is_group
    assert ("Alibaba Cloud" in note) if is_group else note is None


def test_raw_column_comments_are_the_registrys_text(db):
    """The shared figure columns, the documents table and its text layer are documented in
    tables.yaml (`figure_columns:`, the documents entry) and stored as DuckDB comments."""
    comments = dict(
        db.execute(
            "SELECT table_name || '.' || column_name, comment FROM duckdb_columns() "
            "WHERE schema_name = 'raw'"
        ).fetchall()
    )
    assert comments["it_spend.entity_zh"] == "The entity's name as the report prints it."
    assert comments["report_documents.pages"] == (
        "Pages of the text layer (a text file without form feeds is one page)."
    )
    assert comments["report_lines.line"] == (
        "The line's number in the whole text layer (1-based): what quotes and the extractor "
        "point at."
    )
    (description,) = db.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = 'raw' "
        "AND table_name = 'report_lines'"
    ).fetchone()
    assert description.startswith("The text layer of every report document, one row per line")


def test_a_shared_column_without_a_description_is_an_error_naming_it(sources):
    registry_file = sources / "tables.yaml"
    text = registry_file.read_text(encoding="utf-8")
    line = '  value_qualifier: "= exact, ~ about, > more than, >= at least, < less than."\n'
    assert line in text
    registry_file.write_text(text.replace(line, ""), encoding="utf-8")
    registry = Registry.load()
    with pytest.raises(
        RegistryError, match=r"figure_columns gives no description.*value_qualifier"
    ):
        column_docs(registry.tables["it_spend"], registry)
