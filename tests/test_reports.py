"""The charts and the HTML report, as the session's full build of the real sources left them."""

import re
import struct
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from matplotlib.figure import Figure

from warehouse.metrics.gpu_demand import reproduction
from warehouse.reporting import charts_dir, provenance, report_path, report_to_show
from warehouse.reporting.charts import (
    CHART_FIGURE_TABLES,
    CHARTS,
    ChartSpec,
    cjk_font,
    render,
)
from warehouse.reporting.page import html_table
from warehouse.store import write_file_atomically

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
    model = db.sql("SELECT * FROM marts.fct_report_figures WHERE table_name = 'gpu_model'").df()
    comparison = reproduction(demand, model).set_index(["workload", "output"])
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
        assert f'<h3 class="mismatch">{check_id}</h3>' in page
    assert page.count('class="finding"') == len(mismatches)
    assert '<a href="#source-gartner">Gartner</a>' in page
    assert 'id="source-gartner"' in page


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
