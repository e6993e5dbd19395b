"""The charts and the HTML report, as the session's full build of the real sources left them."""

import re
import shutil
import struct
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
from matplotlib.figure import Figure

from warehouse.atomic_files import write_file_atomically
from warehouse.metrics.gpu_demand import reproduction
from warehouse.reporting.charts import (
    CHART_FIGURE_TABLES,
    CHARTS,
    ChartSpec,
    cjk_font,
    render,
    write_charts,
)
from warehouse.reporting.page import html_table
from warehouse.reporting.paths import charts_dir, report_path
from warehouse.reporting.provenance import provenance, report_to_show

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    return struct.unpack(">II", data[16:24])


def test_every_chart_is_a_png_beside_the_warehouse(built_warehouse: Path):
    folder = charts_dir(built_warehouse)
    assert sorted(p.name for p in folder.glob("*.png")) == sorted(s.file_name for s in CHARTS)
    for spec in CHARTS:
        width, height = _png_size((folder / spec.file_name).read_bytes())
        assert width >= 800 and height >= 400, spec.name


@pytest.fixture
def fonts(monkeypatch):
    """matplotlib's font list replaced by names the test chooses; files found on the system
    and fonts added from them are recorded."""
    from matplotlib import font_manager

    system, added = [], []
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])

    def set_installed(*names: str) -> None:
        font_manager.fontManager.ttflist[:] = [SimpleNamespace(name=n) for n in names]

    def addfont(path: str) -> None:
        added.append(path)
        font_manager.fontManager.ttflist.append(SimpleNamespace(name="Noto Sans CJK JP"))

    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: list(system))
    monkeypatch.setattr(font_manager.fontManager, "addfont", addfont)
    return SimpleNamespace(installed=set_installed, system=system, added=added)


def test_the_chart_font_is_the_first_installed_of_the_preferred_cjk_fonts(fonts):
    fonts.installed("DejaVu Sans", "WenQuanYi Zen Hei", "Noto Sans CJK TC", "Noto Sans CJK SC")
    assert cjk_font() == "Noto Sans CJK SC"
    fonts.installed("DejaVu Sans", "WenQuanYi Zen Hei", "Noto Sans CJK TC")
    assert cjk_font() == "Noto Sans CJK TC"
    assert fonts.added == []  # found in the cached list: no system scan needed


def test_a_cjk_font_installed_after_matplotlibs_cache_is_found_by_its_file(fonts):
    fonts.installed("DejaVu Sans")
    fonts.system.extend(["/fonts/DejaVuSans.ttf", "/fonts/NotoSansCJK-Regular.ttc"])
    assert cjk_font() == "Noto Sans CJK JP"
    assert fonts.added == ["/fonts/NotoSansCJK-Regular.ttc"]


def test_without_a_cjk_font_the_charts_name_the_package(fonts):
    fonts.installed("DejaVu Sans")
    fonts.system.append("/fonts/DejaVuSans.ttf")
    with pytest.raises(RuntimeError, match=r"apt-get install fonts-noto-cjk"):
        cjk_font()


def test_a_glyph_no_font_has_fails_the_chart_instead_of_drawing_a_box(db):
    def draw(con, report_id: str, fig: Figure) -> None:
        fig.subplots().set_title("私用区字符 \ue000")  # a private-use code point: no glyph

    spec = ChartSpec("tofu", "tofu", (), (), draw)
    with pytest.raises(RuntimeError, match="missing from font"):
        render(spec, db, "any")


def test_a_dollar_sign_in_a_label_is_text_not_a_formula(db):
    """Labels come from the data; mathtext would reject this one (an unknown command)."""

    def draw(con, report_id: str, fig: Figure) -> None:
        fig.subplots().set_title(r"单价 $\unknown 到 $10 美元")

    assert render(ChartSpec("dollars", "dollars", (), (), draw), db, "any").startswith(
        PNG_SIGNATURE
    )


def test_charts_cite_the_report_sections_and_sources(db):
    report_id = report_to_show(db, CHART_FIGURE_TABLES)["report_id"]
    assert report_id == "swsc_cloud_2023"
    assert provenance(db, report_id, ("it_spend",)) == [("1.1", "gartner", "Gartner")]
    for spec in CHARTS:
        assert provenance(db, report_id, spec.figure_tables), spec.name


def test_the_baseline_reproduces_every_printed_gpu_figure(db):
    demand = db.sql("SELECT * FROM marts.gpu_demand").df()
    gpu_figures = db.sql(
        "SELECT * FROM marts.fct_report_figures WHERE table_name = 'gpu_model'"
    ).df()
    comparison = reproduction(demand, gpu_figures).set_index(["workload", "output"])
    assert len(comparison) == 6 and comparison["matches"].all()
    assert comparison.at[("training", "gpus"), "reproduced"] == 15_531
    assert comparison.at[("inference", "servers"), "reproduced"] == 7_596


def test_the_report_page_is_self_contained(built_warehouse: Path):
    page = report_path(built_warehouse).read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == len(CHARTS)
    # nothing to fetch: no external src, href or CSS url()
    assert not re.search(r'(src|href)="(?!data:|#)', page)
    assert "url(" not in page and "<script" not in page
    assert "云计算行业研究" in page and "Noto Sans CJK SC" in page


def test_the_report_page_lists_every_mismatch_with_its_provenance(built_warehouse, db):
    page = report_path(built_warehouse).read_text(encoding="utf-8")
    mismatches = [
        row[0]
        for row in db.sql(
            "SELECT check_id FROM marts.report_consistency WHERE status = 'mismatch'"
        ).fetchall()
    ]
    assert mismatches
    for check_id in mismatches:
        assert f'<article class="finding" id="{check_id}">' in page
        assert f"<code>{check_id}</code>" in page
    assert page.count('class="finding"') == len(mismatches)
    assert '<a href="#source-gartner">Gartner</a>' in page
    assert 'id="source-gartner"' in page


class _PageText(HTMLParser):
    """The text of report.html: every table as rows of cell texts, every h3 heading, and all
    text outside tags but the stylesheet (img data URIs are attributes, not text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs) -> None:
        self._in_style = tag == "style"
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "h3":
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "h3" and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._in_style:
            return
        self.text.append(data)
        for part in (self._cell, self._heading):
            if part is not None:
                part.append(data)


@pytest.fixture(scope="module")
def page_text(built_warehouse: Path) -> _PageText:
    parser = _PageText()
    parser.feed(report_path(built_warehouse).read_text(encoding="utf-8"))
    return parser


def _table_after(page: _PageText, title: str) -> list[list[str]]:
    """The rows (header first) of the key table headed by `title`."""
    index = next(i for i, heading in enumerate(page.headings) if heading.startswith(title))
    return page.tables[index]  # the key tables are the page's first, each under its heading


def test_the_report_page_prints_numbers_as_the_report_does(page_text):
    text = "".join(page_text.text)
    assert not re.search(r"\d[eE][+-]?\d", text)  # no scientific notation anywhere
    assert not re.search(r"\d\.0\b(?![\d.])", text)  # no integral value printed as 12.0
    it_spend = _table_after(page_text, "全球IT支出")
    header, rows = it_spend[0], it_spend[1:]
    spend = header.index("spend_usd_mn")
    # section 1.1, Gartner: IT services 2022 1,244,746; data-center systems 2022 212,376
    assert ["IT外包服务", "it_services", "2022", "no", "1,244,746", "3", "gartner"] in rows
    assert ["数据中心", "data_center_systems", "2022", "no", "212,376", "12", "gartner"] in rows
    assert [row[0] for row in rows[-2:]] == ["合计", "合计"]  # totals last
    assert rows[-1][spend] == "4,491,471"
    cloud = _table_after(page_text, "公有云市场")
    assert ["china", "IaaS", "2021", "", "1,614.7", "80.4", "~75", "caict"] in cloud
    assert cloud[-1][1] == "公有云市场"  # the whole market after its segments
    compute = _table_after(page_text, "中国智能算力")
    # the 2023 rows state no compute and no CAGR (other metrics of the table): not shown
    assert [row[1] for row in compute[1:]] == ["2021", "2021/2026", "2022", "2026"]
    assert ["中国", "2026", "yes", "1,271.4", "", "idc"] in compute
    assert "(快科技): 1 figure" in text and not re.search(r"(?<![\d,])1 figures", text)


def test_a_finding_reads_as_the_report_prints_it(page_text):
    """Section 1.4: 高生产力aPaaS产品 grew 近300% while 28 → 106 products is +278.6 %."""
    headings = [h for h in page_text.headings if h.startswith("高生产力aPaaS产品")]
    assert headings == [
        "高生产力aPaaS产品 (hpapaas) growth, 2016/2019: the growth rate disagrees with the levels"
    ]
    rows = [table[1] for table in page_text.tables if table[0][0] == "stated"]
    assert ["近300 %", "278.6 %", "21.4 %", "11.5 %"] in rows  # (106 / 28 − 1) × 100 = 278.57
    assert ["28.7 %", "28.46 %", "0.24 %", "0.13 %"] in rows  # AWS: 228 / 801 = 28.46 %
    assert ["-2.40 pp", "-2.1 pp", "0.3 pp", "0.105 pp"] in rows  # 41.4 − 43.5, printed 2.40
    assert "28 to 106 products is +279%, printed 近300%." in page_text.text


def test_findings_print_both_sides_in_the_unit_the_report_printed(page_text, built_warehouse):
    """Section 1.7: 张北 "12 FLOPS（每秒1200亿亿次浮点运算）": 1,200 × 10^16 FLOPS = 12 EFLOPS,
    printed as 12 FLOPS; section 2.2: 2021's 370.4亿元 against 292 + 246.5 = 538.5亿元 for 2020
    grown by 32.9 %: 538.5 × 1.329 = 715.67亿元."""
    rows = [table[1] for table in page_text.tables if table[0][0] == "stated"]
    assert ["12 FLOPS", "12 EFLOPS", "12 EFLOPS", "0 EFLOPS"] in rows
    assert ["3 FLOPS", "3 EFLOPS", "3 EFLOPS", "0 EFLOPS"] in rows  # 乌兰察布, 300亿亿次
    assert ["370.4 CNY 100 million", "715.67 CNY 100 million"] in [r[:2] for r in rows]
    site = (built_warehouse.parent / "site" / "findings.html").read_text(encoding="utf-8")
    zhangbei = site.split("formula:swsc_cloud_2023/compute_centers/alibaba_zhangbei/")[1]
    cells = '<td class="num">12 FLOPS</td><td class="num">12 EFLOPS</td>'
    assert cells in zhangbei.split("</table>")[0]
    assert "000,000 FLOPS" not in site


def test_table_text_is_escaped():
    table = html_table(pd.DataFrame({"name": ['<script>alert("x")</script>'], "n": [1]}))
    assert "<script>" not in table
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in table


def test_files_are_replaced_whole(tmp_path: Path):
    path = tmp_path / "charts" / "chart.png"
    write_file_atomically(path, b"old")
    write_file_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    assert [p.name for p in path.parent.iterdir()] == ["chart.png"]


def test_a_chart_is_drawn_again_only_when_what_it_reads_changed(built_warehouse, tmp_path):
    """Charts start from the published ones: unchanged marts keep their PNGs (no
    matplotlib), a changed mart redraws only the charts that read it, a lost PNG is drawn."""
    warehouse = tmp_path / "copy.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    folder = tmp_path / "charts"
    with duckdb.connect(str(warehouse)) as con:
        report_id = report_to_show(con, CHART_FIGURE_TABLES)["report_id"]

        def drawn() -> set[str]:
            return {c.spec.name for c in write_charts(con, report_id, folder) if c.drawn}

        assert drawn() == {spec.name for spec in CHARTS}  # an empty folder: all eight
        carriers = (folder / "carrier_cloud.png").read_bytes()
        assert drawn() == set()
        con.execute("UPDATE marts.carrier_cloud SET growth_pct = growth_pct + 1")
        assert drawn() == {"carrier_cloud"}
        assert (folder / "carrier_cloud.png").read_bytes() != carriers
        (folder / "market_share.png").unlink()
        assert drawn() == {"market_share"}


class _RecordingConnection:
    """A connection that records the SQL it runs (what a chart reads)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con, self.sql = con, []

    def execute(self, sql: str, *args):
        self.sql.append(sql)
        return self.con.execute(sql, *args)


def test_each_chart_declares_the_marts_its_queries_read(db):
    """`reads` decides when a chart is drawn again and what the charts asset depends on, so
    it must be exactly the marts the chart's SQL reads."""
    report_id = report_to_show(db, CHART_FIGURE_TABLES)["report_id"]
    for spec in CHARTS:
        recording = _RecordingConnection(db)
        spec.draw(recording, report_id, Figure())
        read = {m for sql in recording.sql for m in re.findall(r"\bmarts\.\w+", sql)}
        assert read == set(spec.reads), spec.name
