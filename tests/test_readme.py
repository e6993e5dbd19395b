"""The example queries of the README and of docs/analysts.md print what those pages show: each
`$ .venv/bin/crw query "…"` block, run against a warehouse built from the real sources, gives
the output under it line for line (the figures are the report's as printed), so an example
cannot go stale unseen."""

import re

import pytest

from pipelines.cli import main
from warehouse import settings

README = settings.PROJECT_ROOT / "README.md"
ANALYSTS = settings.PROJECT_ROOT / "docs" / "analysts.md"
EXAMPLE = re.compile(r'```sh\n\$ \.venv/bin/crw query "(?P<sql>.*?)"\n(?P<output>.*?)```', re.S)


def _examples(page):
    return [(" ".join(m["sql"].split()), m["output"]) for m in EXAMPLE.finditer(page.read_text())]


EXAMPLES = _examples(README) + _examples(ANALYSTS)


def test_the_readme_has_its_five_questions():
    assert len(_examples(README)) >= 5


def test_the_analyst_answers_are_the_reports_figures():
    """The issue's five questions, each answer as the report prints it or as worked by hand."""
    answers = [output for _, output in _examples(ANALYSTS)]
    assert len(answers) == 5
    compute, top3, findings, sensitivity, idc = answers
    # 张北: 每秒1200亿亿次 = 1,200 × 10^16 FLOPS = 12,000 PFLOPS, ahead of 乌兰察布's 300亿亿次
    assert re.search(r"^alibaba_zhangbei +12000 +compute_centers$", compute, re.M)
    assert compute.index("alibaba_zhangbei") < compute.index("alibaba_ulanqab")
    # 亚马逊、微软、阿里云 69.54 % of global IaaS in 2021 (Gartner)
    assert re.search(r"^top3_amazon_microsoft_alibaba +69.54 +gartner ", top3, re.M)
    # 下降了2.40pp against 43.5 % → 41.4 %; the unit slip 12 FLOPS against 1.2 × 10^19
    assert re.search(r"operating_margin_change/FY2023Q2 +-2.4 +-2.1 +percentage points", findings)
    assert re.search(r"alibaba_zhangbei/\S+ +12 +12000000000000000000 +FLOPS", findings)
    # 3.14e23 FLOP / (19.5e12 FLOPS × 60 % × 30 × 86,400 s) = 10,354.01 A100s, and so on
    for accelerator, exact, provisioned in (
        ("A100 SXM +FP32", "10354.01", 10355),
        ("A100 SXM +BF16 tensor", "647.13", 648),  # × 19.5 / 312
        ("H100 SXM +BF16 tensor", "204.07", 205),  # × 19.5 / 989.4
        ("B200 +BF16 tensor", "89.73", 90),  # × 19.5 / 2250
    ):
        line = rf"^{accelerator} +[\d.]+ +{exact} +{provisioned} "
        assert re.search(line, sensitivity, re.M), accelerator
    assert idc.rstrip().endswith("(21 rows)")


@pytest.mark.parametrize(("sql", "output"), EXAMPLES, ids=[sql[:60] for sql, _ in EXAMPLES])
def test_readme_query_prints_what_the_readme_shows(
    sql, output, built_warehouse, monkeypatch, capsys
):
    monkeypatch.setenv("WAREHOUSE_PATH", str(built_warehouse))
    assert main(["query", sql]) == 0
    printed = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    assert printed == [line.rstrip() for line in output.splitlines()]
