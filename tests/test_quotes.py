"""Every figure row quotes the report: the blocking check that the quote is in the document
and says what the row says, and where each quote starts."""

from pathlib import Path

import pytest
from source_edits import edit_cell

from warehouse.loading import load_table
from warehouse.problems import SourceValidationError
from warehouse.quotes import qualifier_words
from warehouse.registry import Registry

IT_SPEND = "swsc_cloud_2023/it_spend.csv"
FILE = "sources/swsc_cloud_2023/it_spend.csv"
SOFTWARE_2023 = {"entity": "software", "metric": "spend", "period": "2023"}
HEADLINE = {"entity": "total", "metric": "spend_headline", "period": "2023"}


def load(sources: Path, table: str = "it_spend"):
    registry = Registry.load(sources)
    return load_table(registry, registry.tables[table]).frame


def fails_with(sources: Path, *parts: str, table: str = "it_spend") -> None:
    with pytest.raises(SourceValidationError) as caught:
        load(sources, table)
    for part in parts:
        assert part in str(caught.value), str(caught.value)


def test_a_quote_not_in_the_report_names_what_was_searched(sources):
    line = edit_cell(sources / IT_SPEND, SOFTWARE_2023, "quote", "软件 783462 7.1% 856029 9.4%")
    fails_with(
        sources,
        f"{FILE}, line {line}, column 'quote': value '软件 783462 7.1% 856029 9.4%': not found "
        "in sources/swsc_cloud_2023/report.txt (searched for '软件7834627.1%8560299.4%'",
    )


def test_a_value_the_quote_does_not_print_is_refused(sources):
    line = edit_cell(sources / IT_SPEND, SOFTWARE_2023, "value", "856030")
    fails_with(
        sources,
        f"{FILE}, line {line}, column 'value': value '856030': the quote does not contain the "
        "value as printed (searched the quote for '856030'",
    )


def test_more_decimals_than_printed_is_refused(sources):
    # 856029.0 would claim a precision of 0.1 the report does not print
    line = edit_cell(sources / IT_SPEND, SOFTWARE_2023, "value", "856029.0")
    fails_with(sources, f"line {line}, column 'value': value '856029.0': the quote does not")


def test_a_qualifier_the_quote_does_not_say_is_refused(sources):
    # 2023年全球范围IT支出预计达到4.5万亿美元: no 约, so it is not `~`
    line = edit_cell(sources / IT_SPEND, HEADLINE, "value_qualifier", "~")
    fails_with(
        sources,
        f"line {line}, column 'value_qualifier': value '~': contradicts the quote, which says "
        "no qualifier word (→ =)",
    )


def test_a_qualifier_that_contradicts_the_quote_is_refused(sources):
    path = sources / "swsc_cloud_2023/public_cloud_market.csv"
    match = {"region": "china", "entity": "iaas", "metric": "share_of_public_cloud"}
    line = edit_cell(path, match, "value_qualifier", "=")
    fails_with(
        sources,
        f"line {line}, column 'value_qualifier': value '=': contradicts the quote, which says "
        "将近 → ~",
        table="public_cloud_market",
    )


def test_an_entity_the_quote_does_not_name_is_refused(sources):
    path = sources / "swsc_cloud_2023/hpc_market.csv"
    match = {"entity": "hpc6a", "metric": "price_performance_improvement"}
    line = edit_cell(path, match, "entity_zh", "Hpc7a")
    fails_with(
        sources,
        f"line {line}, column 'entity_zh': value 'Hpc7a': neither the entity's name nor an alias "
        "of it is in the quote (searched for Hpc7a;",
        table="hpc_market",
    )


def test_an_empty_quote_is_refused(sources):
    line = edit_cell(sources / IT_SPEND, SOFTWARE_2023, "quote", "")
    fails_with(sources, f"line {line}, column 'quote'", "must not be empty")


def test_every_row_knows_where_its_quote_starts(sources):
    frame = load(sources)
    row = frame[(frame.entity == "software") & (frame.period == "2023")].iloc[0]
    assert (row["quote"], row["page"], row["doc_line"]) == ("软件 783462 7.1% 856029 9.3%", 1, 67)
    headline = frame[frame.metric == "spend_headline"].iloc[0]
    assert headline["doc_line"] == 13  # the quote starts with the line's last word, 2023


@pytest.mark.parametrize(
    ("quote", "value", "says"),
    [
        ("数据中心机房拟安装4000多个标准机柜", "4000", {">"}),
        ("在地缘政治冲突、美元升值、电价上涨等多重因素影响下，营收1012亿美元", "1012", set()),
        ("提供搭载了4000张NVIDIA A100 GPU的超大规模计算集群", "4000", set()),
        ("计划于近期投入运行，拟安装4000个标准机柜", "4000", set()),
        ("高生产力aPaaS产品的数量增长了近300%", "300", {"~"}),
        ("云部署比例高达65%及以上", "65", {">="}),
        ("Hpc6a 实例所提供的性价比最多更高出 65%", "65", {"<="}),
        ("可容纳不少于3万台服务器", "3", {">="}),
        ("预计上百T级", "100", {">="}),
        ("ChatGPT 2022年11月 千亿级", "1000", {"~"}),
        ("将节约3000余吨标准煤", "3000", {">"}),  # 约 inside 节约 is no qualifier
        # a word about another figure of the quote does not count
        ("市场规模约292亿元，同比增长43.1%", "43.1", set()),
        ("市场规模约292亿元，同比增长43.1%", "292", {"~"}),
    ],
)
def test_qualifier_words_speak_about_the_number_they_stand_by(quote, value, says):
    assert set(qualifier_words(quote, value).values()) == says


def test_the_warehouse_shows_every_figure_with_its_sentence(db):
    rows = db.execute(
        "SELECT count(*), count(quote), count(page), count(doc_line) FROM marts.fct_report_figures"
    ).fetchall()
    assert rows == [(250, 250, 250, 250)]
    quote, line = db.execute(
        "SELECT f.quote, l.text FROM marts.fct_report_figures AS f "
        "JOIN raw.report_lines AS l ON l.report_id = f.report_id AND l.line = f.doc_line "
        "WHERE f.figure_id = 'swsc_cloud_2023/gpu_model/training/gpus/2023'"
    ).fetchall()[0]
    assert (
        quote
        == "训练成本方面，假设模型参数1750亿，算力利用率40%，训练时长1个月计算，需要15531块A100 GPU"
    )
    assert line.rstrip().endswith("根据测算，训练成本方面，假设")  # line 17; the quote runs on
