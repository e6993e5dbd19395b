"""The report's dated events without a value: a curated table whose quotes are checked against
the report's document like the figures', and the mart that lists them."""

from pathlib import Path

import pytest
from source_edits import edit_cell

from warehouse.loading import load_table
from warehouse.problems import SourceValidationError
from warehouse.registry import Registry, RegistryError

EVENTS = "swsc_cloud_2023/report_events.csv"
FILE = "sources/swsc_cloud_2023/report_events.csv"
PHASE3 = {"event_id": "microsoft_openai_phase3"}


def load(sources: Path):
    registry = Registry.load(sources)
    return load_table(registry, registry.tables["report_events"]).frame


def test_the_report_s_dated_events_are_in_the_mart(db):
    rows = db.execute(
        "SELECT event_id, period, entity_zh, event_type, is_forecast, page, doc_line "
        "FROM marts.report_events WHERE event_id IN ('microsoft_openai_phase3', "
        "'ernie_bot_public_opening', 'microsoft_power_platform_copilot') ORDER BY doc_line"
    ).fetchall()
    # the report's text: line 552 微软：2023年1月23日，微软宣布与OpenAI进入第三阶段合作; line 584
    # 2023年3月7日 … Power Platform; lines 695-707 文心一言 … 将于2023年3月16日面向公众开放
    assert rows == [
        ("microsoft_openai_phase3", "2023-01-23", "微软", "partnership", False, 1, 552),
        ("microsoft_power_platform_copilot", "2023-03-07", "微软", "launch", False, 1, 584),
        ("ernie_bot_public_opening", "2023-03-16", "文心一言", "opening", True, 1, 695),
    ]


def test_every_event_of_the_carriers_timeline_is_there(db):
    # section 1.3's timeline: three bullets per stage for 2007-2009, 2012-2014, four for
    # 2016-2019, and two for 2021-2022 that state no number (the others are carrier_cloud figures)
    periods = db.execute(
        "SELECT period, count(*) FROM marts.report_events WHERE section = '1.3' "
        "GROUP BY period ORDER BY period"
    ).fetchall()
    assert periods == [("2007/2009", 3), ("2012/2014", 3), ("2016/2019", 4), ("2021/2022", 2)]


def test_events_are_the_report_s_and_only_two_are_expected(db):
    total, expected = db.execute(
        "SELECT count(*), list(event_id ORDER BY event_id) FILTER (WHERE is_forecast) "
        "FROM marts.report_events"
    ).fetchall()[0]
    assert total == 29
    # Google I/O on 5月10日 and 文心一言's opening were both still ahead when it was written
    assert expected == ["ernie_bot_public_opening", "google_io_2023"]


def test_an_event_quote_not_in_the_report_is_refused(sources):
    line = edit_cell(sources / EVENTS, PHASE3, "quote", "微软：2023年1月24日，微软宣布与OpenAI")
    with pytest.raises(SourceValidationError) as caught:
        load(sources)
    assert (
        f"{FILE}, line {line}, column 'quote': value '微软：2023年1月24日，微软宣布与OpenAI': "
        "not found in sources/swsc_cloud_2023/report.txt"
    ) in str(caught.value)


@pytest.mark.parametrize(
    ("column", "value"), [("date_as_printed", "2023年1月24日"), ("entity_zh", "微软公司")]
)
def test_an_event_quote_must_print_its_date_and_its_name(sources, column, value):
    line = edit_cell(sources / EVENTS, PHASE3, column, value)
    with pytest.raises(SourceValidationError) as caught:
        load(sources)
    assert (
        f"{FILE}, line {line}, column '{column}': value '{value}': is not in the quote as "
        f"printed (searched the quote for '{value}')"
    ) in str(caught.value)


def test_an_event_s_quote_gives_its_page_and_line(sources):
    frame = load(sources).set_index("event_id")
    assert frame.loc["kingdee_cosmic_ernie_bot", ["page", "doc_line"]].tolist() == [1, 1053]


def test_quote_contains_needs_a_quote_column(sources):
    registry = sources / "tables.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace(
            '      quote: {dtype: str, description: "The shortest span',
            '      quote_x: {dtype: str, description: "The shortest span',
        ),
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match="quote_contains"):
        Registry.load(sources)
