"""The report document as a source: its text layer with pages and lines, from text or PDF."""

import hashlib
from pathlib import Path

import pytest
import yaml

from warehouse.documents import read_document
from warehouse.loading import load_table
from warehouse.registry import Registry
from warehouse.source_files import SourceFileError

REPORT = "swsc_cloud_2023"
REPORT_TEXT = Path(__file__).parents[1] / "sources" / REPORT / "report.txt"


def cjk_font_file() -> str:
    """The CJK font file the charts use (fonts-noto-cjk, from `make system-deps`)."""
    from matplotlib import font_manager

    from warehouse.reporting.charts import cjk_font

    try:
        family = cjk_font()
    except Exception as missing:  # the charts' own message names the package to install
        pytest.skip(str(missing))
    properties = font_manager.FontProperties(family=family)
    return font_manager.findfont(properties, fallback_to_default=False)


def write_pdf(path: Path, pages: list[list[str]]) -> None:
    """A PDF with one text line per entry, on the pages given, in a CJK font."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", fname=cjk_font_file())
    pdf.set_font("cjk", size=9)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def report_lines() -> list[str]:
    return REPORT_TEXT.read_text(encoding="utf-8").split("\n")


def test_the_report_text_is_one_page_of_numbered_lines():
    document = read_document(REPORT_TEXT, "report.txt")
    assert (document.pages, len(document.lines)) == (1, 1172)
    line = document.find("全球公有云市场规模达到 3307 亿美元，增速达 32.5%")
    assert (line.page, line.line) == (1, 34)
    assert line.text.startswith("SaaS 为代表的全球公有云市场规模达到 3307 亿美元")
    # a quote may run across a line break (line 13 ends with "2023"): whitespace and line
    # breaks are ignored
    assert document.find("2023年全球范围IT支出预计达到4.5万亿美元").line == 13
    assert document.find("4.5万亿美元，同比增长 2.4%") is not None
    assert document.find("4.6万亿美元") is None


def test_a_pdf_keeps_pages_and_a_quote_survives_a_line_broken_mid_number(tmp_path):
    lines = [line for line in report_lines()[:60] if line.strip() and "3307" not in line]
    broken = "2021 年以 IaaS、PaaS、SaaS 为代表的全球公有云市场规模达到 33"
    pages = [lines[:20], [*lines[20:30], broken, "07 亿美元，增速达 32.5%。"], lines[30:]]
    path = tmp_path / "report.pdf"
    write_pdf(path, pages)

    document = read_document(path, "report.pdf")

    assert document.pages == 3
    assert [line.page for line in document.lines].count(3) >= len(lines[30:])
    assert document.lines[0].text.strip() == "核心要点"
    line = document.find("全球公有云市场规模达到3307亿美元，增速达32.5%")
    assert line is not None and line.page == 2
    assert line.text.endswith("33")
    assert document.find("15531块A100 GPU").page == 1


def test_a_gbk_text_file_reads_like_its_utf8_original(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes("\n".join(report_lines()[:100]).encode("gbk"))
    document = read_document(path, "report.txt")
    assert len(document.lines) == 100
    assert document.find("需要15531块A100 GPU，1941个8-GPU服务器").line == 18


def test_form_feeds_are_page_breaks(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("第一页\n营收1012亿美元\f第二页\n同比增长26.5%\n", encoding="utf-8")
    document = read_document(path, "report.txt")
    assert [(line.page, line.line) for line in document.lines] == [(1, 1), (1, 2), (2, 3), (2, 4)]
    assert document.find("同比增长26.5%").page == 2


@pytest.mark.parametrize("content", [b"", b" \n\n \r\n", b"%PDF-1.4 not really a pdf"])
def test_an_empty_or_unreadable_document_is_refused_with_its_name(tmp_path, content):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    with pytest.raises(SourceFileError, match=r"^sources/x/report\.pdf: (has no text|cannot be)"):
        read_document(path, "sources/x/report.pdf")


def test_an_empty_pdf_page_layer_is_refused(tmp_path):
    path = tmp_path / "scan.pdf"
    write_pdf(path, [[]])  # a page without text, like a scanned page
    with pytest.raises(SourceFileError, match="has no text"):
        read_document(path, "scan.pdf")


def _register(sources: Path, name: str, data: bytes | None) -> None:
    if data is not None:
        (sources / REPORT / name).write_bytes(data)
    registry = yaml.safe_load((sources / "reports.yaml").read_text(encoding="utf-8"))
    entry = registry["reports"][0]
    entry["document"] = name
    entry["document_sha256"] = hashlib.sha256(data or b"").hexdigest()
    (sources / "reports.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), "utf-8")


def test_a_missing_document_fails_the_load_naming_it(sources):
    _register(sources, "report.pdf", None)
    registry = Registry.load(sources)
    with pytest.raises(
        SourceFileError, match=r"sources/swsc_cloud_2023/report\.pdf: does not exist"
    ):
        load_table(registry, registry.tables["report_documents"])


def test_a_document_that_no_longer_matches_its_sha256_fails_the_load(sources):
    (sources / REPORT / "report.txt").write_text("改过的报告 1012亿美元\n", encoding="utf-8")
    registry = Registry.load(sources)
    with pytest.raises(SourceFileError, match=r"has sha256 \w+, but reports.yaml records ba1d27fd"):
        load_table(registry, registry.tables["report_documents"])


def test_the_documents_table_and_its_lines_load_from_every_registered_report(sources, tmp_path):
    pdf = tmp_path / "report.pdf"
    write_pdf(pdf, [["微软云：2022年实现总营收1012亿美元"], ["同比增长26.5%"]])
    _register(sources, "report.pdf", pdf.read_bytes())
    registry = Registry.load(sources)
    assert registry.unregistered_files() == [sources / REPORT / "report.txt"]
    assert registry.tables_fed_by(f"{REPORT}/report.pdf") >= {"report_documents", "it_spend"}

    loaded = load_table(registry, registry.tables["report_documents"])

    assert loaded.frame[["report_id", "source_file", "pages", "lines"]].values.tolist() == [
        [REPORT, f"sources/{REPORT}/report.pdf", 2, 2]
    ]
    lines = loaded.companions["report_lines"].frame
    assert lines[["page", "line", "text"]].values.tolist() == [
        [1, 1, "微软云：2022年实现总营收1012亿美元"],
        [2, 2, "同比增长26.5%"],
    ]


def test_the_warehouse_holds_every_line_of_the_report(db):
    assert db.execute("SELECT pages, lines FROM raw.report_documents").fetchall() == [(1, 1172)]
    assert db.execute("SELECT text FROM raw.report_lines WHERE line = 19").fetchone() == (
        "GPU服务器。推理成本方面，假设月活跃用户1亿，用户平均每人每天3次提问，每天提供3亿次回",
    )
