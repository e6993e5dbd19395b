"""A source file's passed quote checks are kept, so a load checks again only what changed,
and what is kept never changes what a load finds (warehouse/kept_quote_checks.py)."""

import copy
import json
from pathlib import Path

import pandas as pd
import pytest
from source_edits import edit_cell

from warehouse import kept_quote_checks, loading
from warehouse.loading import load_table
from warehouse.problems import SourceValidationError
from warehouse.registry import Registry

IT_SPEND = "swsc_cloud_2023/it_spend.csv"
SOFTWARE_2023 = {"entity": "software", "metric": "spend", "period": "2023"}


@pytest.fixture
def rows_checked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows each quote check of a load was given."""
    counts: list[int] = []
    check = kept_quote_checks.check_quotes

    def counting(frame, documents, row_check):
        counts.append(len(frame))
        return check(frame, documents, row_check)

    monkeypatch.setattr(kept_quote_checks, "check_quotes", counting)
    return counts


def load(sources: Path, table: str = "it_spend") -> pd.DataFrame:
    registry = Registry.load(sources)
    return load_table(registry, registry.tables[table]).frame


def test_a_second_load_checks_no_quote_again_and_finds_the_same_anchors(
    sources, warehouse_file, rows_checked
):
    first = load(sources)
    assert rows_checked == [len(first)]
    assert first["doc_line"].notna().all()
    second = load(sources)
    assert rows_checked == [len(first)]  # nothing checked the second time
    pd.testing.assert_frame_equal(first, second)


def test_an_edited_file_is_checked_again_and_its_problem_found_every_time(
    sources, warehouse_file, rows_checked
):
    load(sources)
    line = edit_cell(sources / IT_SPEND, SOFTWARE_2023, "value", "999")
    for _ in range(2):  # a file with a problem is never kept
        with pytest.raises(SourceValidationError) as caught:
            load(sources)
        assert f"it_spend.csv, line {line}, column 'value'" in str(caught.value)
    assert len(rows_checked) == 3 and rows_checked[1] == rows_checked[2] == rows_checked[0]


def test_a_changed_document_is_checked_again(sources, warehouse_file, rows_checked, monkeypatch):
    first = load(sources)
    indexes = loading.quote_indexes

    def other_documents(registry, report_ids):
        changed = {}
        for report_id, index in indexes(registry, report_ids).items():
            changed[report_id] = copy.copy(index)
            changed[report_id].sha256 = "0" * 64
        return changed

    monkeypatch.setattr(loading, "quote_indexes", other_documents)
    pd.testing.assert_frame_equal(first, load(sources))
    assert rows_checked == [len(first), len(first)]


def test_what_is_kept_is_only_a_speed_up(sources, warehouse_file, rows_checked):
    """A kept file that is unreadable, or keyed for other inputs, is a miss, not an error."""
    first = load(sources)
    kept = warehouse_file.with_name(f".{warehouse_file.name}.quote-checks") / "it_spend.json"
    assert kept.is_file()
    made_under_other_rules = json.loads(kept.read_text()) | {"rules": "other code"}
    kept.write_text("not json")
    pd.testing.assert_frame_equal(first, load(sources))
    kept.write_text(json.dumps(made_under_other_rules))
    pd.testing.assert_frame_equal(first, load(sources))
    assert rows_checked == [len(first)] * 3


def test_a_place_that_cannot_be_written_only_costs_speed(sources, warehouse_file, rows_checked):
    warehouse_file.parent.mkdir(parents=True)
    warehouse_file.with_name(f".{warehouse_file.name}.quote-checks").write_text("a file")
    first = load(sources)  # the folder cannot be made: nothing kept, nothing lost
    pd.testing.assert_frame_equal(first, load(sources))
    assert rows_checked == [len(first)] * 2
