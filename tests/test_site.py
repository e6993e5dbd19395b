"""The data site a refresh publishes beside the warehouse file (site/): what each page holds,
read from the files (tests/test_browser.py drives the same pages in Chromium)."""

import json
import re
import shutil

import duckdb
import openpyxl

from warehouse.reporting.site import FINGERPRINTS


def _data(site, name):
    text = (site / "data" / f"{name}.js").read_text(encoding="utf-8")
    return json.loads(re.fullmatch(r"window\.CRW=(.*);", text, re.S).group(1))


def test_every_mart_has_a_page_rows_and_downloads(built_warehouse):
    site = built_warehouse.parent / "site"
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        marts = dict(
            con.execute(
                "SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        )
        counts = {
            name: con.execute(f"SELECT count(*) FROM marts.{name}").fetchall()[0][0]
            for name in marts
        }
    index = (site / "index.html").read_text(encoding="utf-8")
    for name, count in counts.items():
        relation = f"marts.{name}"
        assert f'href="tables/{relation}.html"' in index
        assert len(_data(site, relation)["rows"]) == count, relation
        for fmt in ("csv", "parquet", "xlsx"):
            assert (site / "downloads" / f"{relation}.{fmt}").stat().st_size > 0
    # a few hundred files at most: 5 per mart and the shared pages, whatever the reports
    files = [p for p in site.rglob("*") if p.is_file()]
    assert len(files) == 5 * len(marts) + 10  # index, figure, findings, charts, search,
    # site.js, site.css, the figure and search indexes and the marts' fingerprints


def test_a_table_page_lists_its_inputs_down_to_the_raw_tables(built_warehouse):
    page = (built_warehouse.parent / "site" / "tables" / "marts.it_spend.html").read_text(
        encoding="utf-8"
    )
    lineage = page.split("<h2>Lineage: its inputs</h2>")[1]
    # marts.it_spend reads staging.stg_it_spend, which reads raw.it_spend (its SQL's FROM)
    assert re.search(r"staging\.stg_it_spend</code><ul>.*raw\.it_spend", lineage)
    assert "Grain: " in page and "Unique key: (" in page


def test_the_figure_index_carries_provenance_uses_and_revisions(built_warehouse):
    index = _data(built_warehouse.parent / "site", "figures")
    by_id = {row[0]: dict(zip(index["columns"], row, strict=True)) for row in index["rows"]}
    # §1.7: 张北智算中心建设规模为12 FLOPS (the report's own unit), compute_centers.csv line 3
    zhangbei = by_id["swsc_cloud_2023/compute_centers/alibaba_zhangbei/ai_compute_as_printed/2022"]
    assert (zhangbei["value"], zhangbei["unit"], zhangbei["section"]) == (12.0, "FLOPS", "1.7")
    assert zhangbei["source_file"] == "sources/swsc_cloud_2023/compute_centers.csv"
    assert zhangbei["source_line"] == 3
    assert zhangbei["quote"] == "张北智算中心建设规模为12 FLOPS"
    # China's intelligent compute 2021 and 2022 feed the CAGR between them (marts.cagr)
    uses = index["derived"]["swsc_cloud_2023/intelligent_compute/china/compute/2021"]
    assert ["marts.cagr", "intelligent_compute/china/compute/2021/2022"] in uses
    assert index["vintages"] == {}  # one report: no figure is restated
    assert index["signs"]["units"]["percent"] == "%"


def test_xlsx_download_matches_the_table(built_warehouse):
    path = built_warehouse.parent / "site" / "downloads" / "marts.dim_entities.xlsx"
    sheet = openpyxl.load_workbook(path, read_only=True).active
    header, *rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        cursor = con.execute("SELECT entity, entity_zh FROM marts.dim_entities ORDER BY entity")
        expected = cursor.fetchall()
    entity, entity_zh = header.index("entity"), header.index("entity_zh")
    assert sorted((r[entity], r[entity_zh]) for r in rows) == expected


def test_a_large_mart_gets_no_xlsx_on_the_site(built_warehouse, tmp_path, monkeypatch):
    from pipelines.definitions import defs, table_lineage
    from warehouse.reporting import site

    monkeypatch.setattr(site, "XLSX_CELLS", 200)  # 100,000 on the real site, made small
    lineage = table_lineage(list(defs().resolve_asset_graph().assets_defs))
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        site.build_site(con, tmp_path / "site", "swsc_cloud_2023", lineage, "now")
        rows = con.execute("SELECT count(*) FROM marts.fct_report_figures").fetchall()[0][0]
    assert rows * 29 > 200  # its 29 columns
    downloads = tmp_path / "site" / "downloads"
    assert not (downloads / "marts.fct_report_figures.xlsx").exists()
    assert (downloads / "marts.fct_report_figures.csv").exists()
    assert (downloads / "marts.it_spend.xlsx").exists()  # 12 rows × 13 columns
    page = (tmp_path / "site" / "tables" / "marts.fct_report_figures.html").read_text("utf-8")
    assert "more than 200 cells" in page
    assert "crw export marts.fct_report_figures -o marts.fct_report_figures.xlsx" in page


def test_a_rebuild_rewrites_only_the_marts_that_changed(built_warehouse, tmp_path):
    from pipelines.definitions import defs, table_lineage
    from warehouse.reporting.site import build_site

    copy = tmp_path / "cloud.duckdb"
    copy.write_bytes(built_warehouse.read_bytes())
    lineage = table_lineage(list(defs().resolve_asset_graph().assets_defs))
    site = tmp_path / "site"
    with duckdb.connect(str(copy)) as con:
        con.execute("SET threads = 3")
        build_site(con, site, "swsc_cloud_2023", lineage, "first")
        # the downloads are written on one thread; the connection gets its setting back
        assert con.execute("SELECT current_setting('threads')").fetchall() == [(3,)]
        before = {p.relative_to(site): p.stat().st_ino for p in site.rglob("*") if p.is_file()}
        con.execute("UPDATE marts.it_spend SET growth_pct = 9.4 WHERE growth_pct = 9.3")
        build_site(con, site, "swsc_cloud_2023", lineage, "second")
    after = {p.relative_to(site): p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    assert set(after) == set(before)
    kept = {str(p) for p in after if after[p] == before[p]}
    mart_files = {str(p) for p in after if p.parts[0] in ("data", "downloads")}
    changed = {"data/marts.it_spend.js"} | {
        f"downloads/marts.it_spend.{fmt}" for fmt in ("csv", "parquet", "xlsx")
    }
    assert mart_files - kept == changed | {"data/figures.js", "data/search.js", FINGERPRINTS}
    rows = duckdb.sql(f"SELECT growth_pct FROM '{site}/downloads/marts.it_spend.csv'").fetchall()
    assert (9.4,) in rows and (9.3,) not in rows
    assert not (tmp_path / ".site.previous").exists()


def test_a_build_links_the_published_site_and_never_writes_through_the_links(
    built_warehouse, tmp_path
):
    """The next build starts from hard links to the published site's files (copying it was
    most of a refresh's set-up at 1,000 reports); rebuilding the site there leaves every file
    readers of the published version see byte for byte as it was. Other artifacts are copied."""
    import hashlib

    from pipelines.definitions import defs, table_lineage
    from warehouse.reporting.site import SITE_DIR, build_site
    from warehouse.store import WarehouseBuild

    lineage = table_lineage(list(defs().resolve_asset_graph().assets_defs))
    published = tmp_path / "cloud.duckdb"
    shutil.copyfile(built_warehouse, published)

    def rebuilt(token: str, change: str | None = None) -> WarehouseBuild:
        build = WarehouseBuild(published, token=token, linked=(SITE_DIR,))
        con = build.open()
        if change:
            con.execute(change)
        build_site(con, build.artifact_path(SITE_DIR), "swsc_cloud_2023", lineage, token)
        build.artifact_path("report.html").write_text(token, encoding="utf-8")
        return build

    rebuilt("first").close()
    old_site = published.with_name(SITE_DIR).resolve()
    digests = {p: hashlib.sha256(p.read_bytes()).digest() for p in old_site.rglob("*.*")}
    page = published.with_name("report.html").resolve()

    second = rebuilt("second", "UPDATE marts.it_spend SET growth_pct = 9.4 WHERE growth_pct = 9.3")
    seeded = second.directory / SITE_DIR
    linked = [
        p
        for p in seeded.rglob("*.*")
        if p.stat().st_ino == (old_site / p.relative_to(seeded)).stat().st_ino
    ]
    assert len(linked) > len(digests) / 2  # the unchanged marts' files, moved in as links
    assert (second.directory / "report.html").stat().st_ino != page.stat().st_ino  # copied
    second.close()

    assert {p: hashlib.sha256(p.read_bytes()).digest() for p in old_site.rglob("*.*")} == digests
    assert page.read_text(encoding="utf-8") == "first"
    new_csv = published.with_name(SITE_DIR) / "downloads" / "marts.it_spend.csv"
    assert b"9.4" in new_csv.read_bytes()
    assert b"9.4" not in (old_site / "downloads" / "marts.it_spend.csv").read_bytes()


def test_a_large_mart_travels_in_row_files_read_after_its_first_page(
    built_warehouse, tmp_path, monkeypatch
):
    from pipelines.definitions import defs, table_lineage
    from warehouse.reporting import site

    monkeypatch.setattr(site, "FIRST_ROWS", 100)  # 1,000 and 50,000 on the real site
    monkeypatch.setattr(site, "CHUNK_ROWS", 60)
    lineage = table_lineage(list(defs().resolve_asset_graph().assets_defs))
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        site.build_site(con, tmp_path / "site", "swsc_cloud_2023", lineage, "now")
        expected = con.execute("SELECT figure_id FROM marts.fct_report_figures").fetchall()
    data = tmp_path / "site" / "data"
    first = _data(tmp_path / "site", "marts.fct_report_figures")
    assert len(first["rows"]) == 100 and first["total"] == len(expected)
    more = sorted(data.glob("marts.fct_report_figures.*.js"), key=lambda p: int(p.stem[-1]))
    # 100 rows first, then 60 a file: ceil((rows - 100) / 60) further files
    assert len(more) == -(-(len(expected) - 100) // 60) >= 2
    rows = list(first["rows"])
    for path in more:
        text = path.read_text(encoding="utf-8")
        rows += json.loads(re.fullmatch(r"crwRows\((.*)\);", text, re.S).group(1))
    figure_id = first["columns"].index("figure_id")
    assert sorted(r[figure_id] for r in rows) == sorted(i for (i,) in expected)
    page = (tmp_path / "site" / "tables" / "marts.fct_report_figures.html").read_text("utf-8")
    assert '"../data/marts.fct_report_figures.2.js"' in page
    small = _data(tmp_path / "site", "marts.it_spend")  # 12 rows: one file
    assert len(small["rows"]) == small["total"] == 12
    assert not list(data.glob("marts.it_spend.*.js"))


def test_the_findings_page_shows_the_readings_with_their_quotes(built_warehouse):
    page = (built_warehouse.parent / "site" / "findings.html").read_text(encoding="utf-8")
    readings = re.findall(r'<article class="finding reading" id="(reading:[^"]+)">', page)
    assert readings == [
        "reading:chatgpt_release_date:swsc_cloud_2023",
        "reading:feitian_under_a_baidu_heading:swsc_cloud_2023",
        "reading:inference_monthly_users_as_daily:swsc_cloud_2023",
    ]
    inference = page.split('id="reading:inference_monthly_users_as_daily:swsc_cloud_2023"')[1]
    inference = inference.split("</article>")[0]
    # §1.6 of the report: 1亿 monthly users × 3 questions a day = 3亿 answers a day
    assert (
        "<blockquote>假设月活跃用户1亿，用户平均每人每天3次提问，每天提供3亿次回答</blockquote>"
        in inference
    )
    assert 'href="figure.html#swsc_cloud_2023/gpu_model/inference/monthly_active_users/2023"' in (
        inference
    )
    release = page.split('id="reading:chatgpt_release_date:swsc_cloud_2023"')[1]
    assert "<blockquote>2023年初，美国OpenAI团队发布聊天机器人软件ChatGPT</blockquote>" in release
