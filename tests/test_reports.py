"""The charts and the HTML report, as the session's full build of the real sources left them."""

import re
import struct
from pathlib import Path

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


def test_the_chart_font_is_a_cjk_font():
    assert "CJK" in cjk_font() or "Han" in cjk_font() or "WenQuanYi" in cjk_font()


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
