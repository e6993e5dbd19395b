"""Reading numbers as people type them: thousands separators, full-width digits, the minus
sign, and the printed precision taken from the digits as written."""

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warehouse.cells import decimals_of, normalize_number
from warehouse.source_files import SourceFileError, decode, normalize_cell, read_source_file

AMOUNTS = st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False)


def with_separators(amount: Decimal) -> str:
    return f"{amount:,}"


@given(AMOUNTS)
def test_thousands_separators_are_dropped(amount):
    assert normalize_number(with_separators(amount)) == f"{amount}"


@given(AMOUNTS)
def test_full_width_digits_fold_to_ascii(amount):
    full_width = str(amount).translate(str.maketrans("0123456789.-", "０１２３４５６７８９．－"))
    assert normalize_cell(f" {full_width}\u3000") == str(amount)


@given(AMOUNTS)
def test_decimals_as_written(amount):
    text = f"{amount}"
    written = len(text.split(".")[1]) if "." in text else 0
    assert decimals_of(text) == written


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("1,234", "1234"),
        ("1,234.5", "1234.5"),
        ("-1,234,567", "-1234567"),
        ("+1,000", "+1000"),
        ("\u22123", "-3"),  # the typographic minus
        ("", None),
        ("1234", "1234"),
        ("12,34", "12,34"),  # not a thousands grouping: left for the schema to refuse
        ("1,2345", "1,2345"),
        ("1234,567", "1234,567"),
        (",123", ",123"),
        ("32.5%", "32.5%"),
        (7, 7),  # not text: unchanged
    ],
)
def test_normalize_number(written, normalized):
    assert normalize_number(written) == normalized


@pytest.mark.parametrize(
    ("written", "decimals"),
    [
        ("268.0", 1),
        ("268", 0),
        ("15.04", 2),
        ("-2.40", 2),
        ("+3", 0),
        ("3.14e11", -9),
        ("3.14E11", -9),
        ("1e-3", 3),
        ("2.5e+2", -1),
        ("n/a", None),
        ("约368", None),
        ("1,234", None),
        ("", None),
        (None, None),
        (3.5, None),
    ],
)
def test_decimals(written, decimals):
    assert decimals_of(written) == decimals


def test_normalize_cell():
    assert normalize_cell("  software ") == "software"
    assert normalize_cell("８５６，０２９") == "856,029"
    assert normalize_cell("软件") == "软件"
    assert normalize_cell("ａｗｓ") == "aws"
    # text keeps its own punctuation: only a cell that is all ASCII once folded is folded
    assert normalize_cell("（约）") == "（约）"


def test_decode():
    text = "软件,1"
    assert decode(Path("x"), text.encode("utf-8")) == (text, "utf-8")
    assert decode(Path("x"), b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode(Path("x"), text.encode("gbk")) == (text, "gb18030")
    with pytest.raises(SourceFileError, match="is neither UTF-8 nor GBK/GB18030"):
        decode(Path("x"), b"\x81\x30\xff")


def test_read_source_file_keeps_lines_and_refuses_ragged_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n\n1,2\n ,\n３,4\n", encoding="utf-8")
    read = read_source_file(path, "t.csv", "rows")
    assert (read.header, read.lines, read.rows, read.encoding) == (
        ["a", "b"],
        [3, 5],
        [["1", "2"], ["3", "4"]],
        "utf-8",
    )
    path.write_text("a,b\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="line 2 has 3 fields but the header has 2"):
        read_source_file(path, "t.csv", "rows")
    path.write_text("a,a\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"header repeats column\(s\) \['a'\]"):
        read_source_file(path, "t.csv", "rows")
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="has a header but no rows"):
        read_source_file(path, "t.csv", "rows")
    path.write_text(" \n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="is empty"):
        read_source_file(path, "t.csv", "rows")
    with pytest.raises(SourceFileError, match="does not exist"):
        read_source_file(tmp_path / "missing.csv", "missing.csv", "rows")


def test_read_yaml_rows_with_their_lines(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("rows:\n  - {a: 1, b: x}\n  - a: 2\n", encoding="utf-8")
    read = read_source_file(path, "r.yaml", "rows")
    assert (read.header, read.lines, read.rows) == (["a", "b"], [2, 3], [["1", "x"], ["2", ""]])
    path.write_text("other: []\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="must hold a non-empty list under 'rows:'"):
        read_source_file(path, "r.yaml", "rows")
    path.write_text("rows: [\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="is not valid YAML"):
        read_source_file(path, "r.yaml", "rows")
