"""Every kind of broken source file either loads correctly (the normalizations documented in
sources/README.md) or fails with one message naming file, line, column, value and rule; and
a failing file never replaces the last good raw table."""

from pathlib import Path

import duckdb
import pytest
from runs import materialize
from source_edits import append_copy_of_row, drop_column, edit_cell, rename_column

from pipelines.assets.keys import relation_key
from pipelines.assets.raw import SCHEMA_CHECK
from warehouse.loading import load_table
from warehouse.problems import SourceValidationError
from warehouse.registry import Registry
from warehouse.source_files import SourceFileError

SOFTWARE_2023 = {"entity": "software", "metric": "spend", "period": "2023"}
IT_SPEND = "swsc_cloud_2023/it_spend.csv"
FILE_NAME = f"sources/{IT_SPEND}"


def load(sources: Path, table: str = "it_spend"):
    registry = Registry.load(sources)
    return load_table(registry, registry.tables[table]).frame


def software_2023(frame) -> float:
    row = frame[(frame.entity == "software") & (frame.metric == "spend") & (frame.period == "2023")]
    return float(row["value"].iloc[0])


# --- formats that load: what Excel and Chinese keyboards produce ---------------------------


@pytest.mark.parametrize("written", ["856,029", "８５６０２９", " 856029 "])
def test_number_formats_that_normalize(sources: Path, written: str):
    edit_cell(sources / IT_SPEND, SOFTWARE_2023, "value", written)
    assert software_2023(load(sources)) == 856_029


def test_utf8_with_bom_loads(sources: Path):
    path = sources / IT_SPEND
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert software_2023(load(sources)) == 856_029


def test_gbk_encoded_file_loads_with_its_chinese_names(sources: Path):
    path = sources / IT_SPEND
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    frame = load(sources)
    assert software_2023(frame) == 856_029
    assert "软件" in set(frame.entity_zh)


# --- inputs that must fail, each with a message a person can act on ------------------------


def _fails_with(sources: Path, *expected: str, table: str = "it_spend") -> str:
    with pytest.raises((SourceValidationError, SourceFileError)) as caught:
        load(sources, table)
    message = str(caught.value)
    for part in expected:
        assert part in message, message
    return message


@pytest.mark.parametrize(
    ("written", "rule"),
    [
        ("32.5%", "must be a number"),
        ("约856029", "must be a number"),
        ("8.56亿", "must be a number"),
        ("n/a", "must be a number"),
        ("-856029", "'spend' must be > 0"),
        ("0", "'spend' must be > 0"),  # the edge of `gt: 0`
        ("", "must not be empty"),
    ],
)
def test_bad_values_name_file_line_column_value_rule(sources: Path, written: str, rule: str):
    line = edit_cell(sources / IT_SPEND, SOFTWARE_2023, "value", written)
    shown = f"value {written!r}: " if written else ""
    _fails_with(sources, f"{FILE_NAME}, line {line}, column 'value'", shown, rule)


def test_share_over_100_is_refused(sources: Path):
    path = sources / "swsc_cloud_2023/market_share.csv"
    line = edit_cell(
        path, {"entity": "alibaba_cloud", "metric": "share", "period": "2022H1"}, "value", "133.5"
    )
    _fails_with(
        sources,
        f"line {line}, column 'value': value '133.5'",
        "'share' must be <= 100",
        table="market_share",
    )


def test_unknown_unit_is_refused(sources: Path):
    line = edit_cell(sources / IT_SPEND, SOFTWARE_2023, "unit", "USD millions")
    _fails_with(
        sources,
        f"line {line}, column 'unit': value 'USD millions'",
        "must be a unit listed in units.csv",
    )


def test_duplicated_key_names_both_lines(sources: Path):
    first = edit_cell(sources / IT_SPEND, SOFTWARE_2023, "note", "")
    second = append_copy_of_row(sources / IT_SPEND, SOFTWARE_2023)
    message = _fails_with(sources, "must be unique")
    assert f"line {first}," in message and f"line {second}," in message


def test_misspelt_column_suggests_the_right_name(sources: Path):
    rename_column(sources / IT_SPEND, "value", "valeu")
    _fails_with(
        sources,
        f"{FILE_NAME}, line 1, column 'valeu'",
        "did you mean 'value'?",
        "column 'value': required column is missing",
    )


def test_missing_column_is_named(sources: Path):
    drop_column(sources / IT_SPEND, "data_source")
    _fails_with(sources, f"{FILE_NAME}, line 1, column 'data_source': required column is missing")


def test_empty_file(sources: Path):
    (sources / IT_SPEND).write_text("", encoding="utf-8")
    _fails_with(sources, f"{FILE_NAME}: is empty")


def test_missing_file(sources: Path):
    (sources / IT_SPEND).unlink()
    _fails_with(sources, "no registered report folder has a file for table 'it_spend'")


def test_total_that_does_not_add_up(sources: Path):
    line = edit_cell(
        sources / IT_SPEND,
        {"entity": "total", "metric": "spend", "period": "2023"},
        "value",
        "4491971",
    )
    _fails_with(
        sources,
        f"line {line}, column 'value': value '4491971'",
        "the parts of 'spend' must add up to the 'total' row",
    )


def test_growth_that_disagrees_with_its_levels(sources: Path):
    line = edit_cell(
        sources / IT_SPEND,
        {"entity": "software", "metric": "growth", "period": "2023"},
        "value",
        "3.9",
    )
    _fails_with(
        sources,
        f"line {line}, column 'value': value '3.9'",
        "'growth' must agree with the change of 'spend'",
    )


# --- through Dagster: a failing file is a failed check and leaves the last good table -------

BREAKAGES = {
    "non_numeric": lambda s: edit_cell(s / IT_SPEND, SOFTWARE_2023, "value", "32.5%"),
    "negative": lambda s: edit_cell(s / IT_SPEND, SOFTWARE_2023, "value", "-1"),
    "unknown_unit": lambda s: edit_cell(s / IT_SPEND, SOFTWARE_2023, "unit", "USD bn"),
    "misspelt_column": lambda s: rename_column(s / IT_SPEND, "value", "valeu"),
    "duplicate_key": lambda s: append_copy_of_row(s / IT_SPEND, SOFTWARE_2023),
    "empty_file": lambda s: (s / IT_SPEND).write_text("", encoding="utf-8"),
    "missing_file": lambda s: (s / IT_SPEND).unlink(),
}


def _raw_it_spend(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql("SELECT * FROM raw.it_spend ORDER BY ALL").fetchall()


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_failed_validation_keeps_the_last_good_table(
    sources: Path, warehouse_file: Path, breakage: str
):
    selection = [relation_key(f"raw.{t}") for t in ("it_spend", "units", "data_sources", "reports")]
    assert materialize(selection).success
    before = _raw_it_spend(warehouse_file)

    BREAKAGES[breakage](sources)
    result = materialize(selection)

    assert not result.success
    checks = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failed = [c for c in checks if c.asset_key == relation_key("raw.it_spend")]
    assert [c.check_name for c in failed] == [SCHEMA_CHECK] and not failed[0].passed
    assert failed[0].metadata["problem_count"].value >= 1
    assert _raw_it_spend(warehouse_file) == before
