"""The UI as users see it, in a real browser: Playwright drives Debian's Chromium (never a
downloaded one) against `dagster dev` (webserver + daemon, as `make dev` runs it) with a
temporary DAGSTER_HOME and warehouse, and against the generated report.html.

Screenshots go to each test's temporary folder (pytest keeps the last three runs' folders).
`make test` installs Chromium and the CJK font (`make system-deps`); without Chromium these
tests skip with the reason, except under CI=true, where a missing browser is a failure.
"""

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import pytest
from dagster_dev import dagster_dev, graphql
from playwright.sync_api import Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from warehouse.reporting.charts import CHARTS
from warehouse.reporting.paths import report_path

# dagster dev starts (up to SERVER_START_SECONDS) and runs every asset (up to RUN_SECONDS)
pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in a container
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    # no internet here: without these Chromium floods refused connections
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GROUPS = ("raw", "staging", "marts", "reports")
RUN_SECONDS = 240
UI_TIMEOUT_MS = 60_000
CJK_FONT_MARKERS = ("CJK", "Source Han", "WenQuanYi", "Droid Sans Fallback")

MISSING_CHROMIUM = (
    "chromium is not installed: `make system-deps` installs it (as root, with apt-get)"
)


@pytest.fixture(scope="session", autouse=True)
def chromium_installed() -> None:
    """Without Chromium these tests skip, except under CI=true: CI must run what it claims
    to test, so there a missing browser fails them."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {MISSING_CHROMIUM}", pytrace=False)
        pytest.skip(MISSING_CHROMIUM)


# assertions wait as long as page actions: a loaded two-core machine renders the UI slowly
expect.set_options(timeout=UI_TIMEOUT_MS)


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`dagster dev` on a free loopback port: its base URL and the warehouse file it builds."""
    root = tmp_path_factory.mktemp("ui")
    warehouse = root / "warehouse" / "cloud.duckdb"
    with dagster_dev(root, {"WAREHOUSE_PATH": str(warehouse), "SOURCES_PATH": None}) as base:
        yield base, warehouse


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    expect.set_options(timeout=UI_TIMEOUT_MS)  # assertions wait as long as actions do
    yield page
    context.close()


def _screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=path)
    return path


def _dismiss_welcome(page: Page) -> None:
    """The first visit to a fresh instance asks to join the community: skip it."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.click(timeout=10_000)
    except PlaywrightTimeout:  # no dialog this time
        return


# tags of the runs the daemon launches by itself (declarative automation, sensors, schedules)
AUTOMATIC_TAGS = (
    "dagster/from_automation_condition",
    "dagster/sensor_name",
    "dagster/schedule_name",
)


def _runs(base: str) -> list[dict]:
    """The runs a person launched: the daemon may launch its own meanwhile (declarative
    automation extracts a new report partition as soon as the sensor adds it)."""
    data = graphql(
        base, "{ runsOrError { ... on Runs { results { runId status tags { key } } } } }"
    )
    return [
        run
        for run in data["runsOrError"]["results"]
        if not any(tag["key"] in AUTOMATIC_TAGS for tag in run["tags"])
    ]


def test_materialize_all_from_the_asset_graph(dagster_ui, page: Page, tmp_path: Path):
    base, warehouse = dagster_ui
    page.goto(f"{base}/asset-groups")
    _dismiss_welcome(page)
    sidebar = page.locator("body")
    for group in GROUPS:
        expect(sidebar.get_by_text(group, exact=True).first).to_be_visible()
    _screenshot(page, tmp_path, "01_asset_graph")

    assert _runs(base) == []
    # The refresh job's own page: every asset but the per-report partitions (on the global
    # graph, "Materialize all" also selects extraction/report_mentions and opens a backfill
    # dialog). It launches at once: no question to confirm.
    page.goto(f"{base}/locations/cloud_report_warehouse/jobs/refresh_all")
    page.get_by_role("button", name="Materialize all").click()
    launched_by = time.monotonic() + 60
    while not _runs(base):
        assert time.monotonic() < launched_by, "no run 60 s after the click (a dialog?)"
        time.sleep(1)
    _screenshot(page, tmp_path, "01b_launched")
    deadline = time.monotonic() + RUN_SECONDS
    while True:
        runs = _runs(base)
        statuses = {run["status"] for run in runs}
        if runs and statuses <= {"SUCCESS", "FAILURE", "CANCELED"}:
            break
        assert time.monotonic() < deadline, f"runs not finished after {RUN_SECONDS} s: {runs}"
        time.sleep(2)
    assert statuses == {"SUCCESS"}, runs
    run_id = runs[0]["runId"]
    page.goto(f"{base}/runs/{run_id}")
    expect(page.get_by_text("Success", exact=False).first).to_be_visible()
    _screenshot(page, tmp_path, "02_run_succeeded")

    page.goto(f"{base}/assets/marts/gpu_demand")
    # the latest materialization's metadata, with the report's figure (not just any "ago")
    metadata = page.get_by_role("row").filter(has=page.get_by_text("training_gpus", exact=True))
    expect(metadata).to_contain_text("15531")
    _screenshot(page, tmp_path, "03_gpu_demand")
    metadata.scroll_into_view_if_needed()
    _screenshot(page, tmp_path, "04_gpu_demand_metadata")

    page.goto(f"{base}/assets/marts/gpu_demand?view=checks")
    expect(page.get_by_text("reproduces_report").first).to_be_visible()
    # the check's latest evaluation result, a chip reading exactly "Passed"
    expect(page.get_by_text("Passed", exact=True).first).to_be_visible()
    _screenshot(page, tmp_path, "05_gpu_demand_checks")

    # the coverage of the report document: 246 of the 250 curated figures found by the
    # extractor (the four it misses are words: docs/sources.md), and its warning check
    page.goto(f"{base}/assets/marts/report_coverage")
    coverage = page.get_by_role("row").filter(has=page.get_by_text("coverage_pct", exact=True))
    expect(coverage).to_contain_text("98.4")
    page.goto(f"{base}/assets/marts/report_coverage?view=checks")
    expect(page.get_by_text("untranscribed_figures").first).to_be_visible()
    _screenshot(page, tmp_path, "06_report_coverage_checks")

    page.goto(f"{base}/assets/reports/charts")
    expect(page.get_by_text("it_spend_path").first).to_be_visible()
    _screenshot(page, tmp_path, "07_charts_asset")
    # A chart's markdown metadata names its sources and links the published file; the image
    # itself is not stored in the run history.
    row = page.get_by_role("row").filter(has=page.get_by_text("it_spend", exact=True))
    expect(row.get_by_role("link", name="it_spend.png")).to_be_visible()
    expect(row).to_contain_text("Gartner")
    expect(row.locator("img")).to_have_count(0)
    _screenshot(page, tmp_path, "08_chart_in_ui")

    assert report_path(warehouse).exists()
    for spec in CHARTS:
        assert (warehouse.parent / "charts" / spec.file_name).stat().st_size > 0


def test_report_page_charts_load_and_chinese_renders(
    built_warehouse: Path, page: Page, tmp_path: Path
):
    page.goto(report_path(built_warehouse).as_uri())
    images = page.locator("figure img")
    expect(images).to_have_count(len(CHARTS))
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(width > 0 for width in widths), widths

    # Which fonts Chromium really drew the Chinese heading with (tofu would be a fallback
    # font with no CJK glyphs): ask the renderer, not the CSS.
    heading = page.locator("h1")
    expect(heading).to_contain_text("云计算")
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    chinese = sum(ch >= "\u4e00" for ch in heading.inner_text())
    cjk_glyphs = sum(
        f["glyphCount"]
        for f in fonts
        if any(marker in f["familyName"] for marker in CJK_FONT_MARKERS)
    )
    assert cjk_glyphs >= chinese, fonts
    _screenshot(page, tmp_path, "08_report_html")


# ---- the data site (site/ beside the warehouse file), opened from file:// -----------------

MARGIN_CHANGE = (
    "swsc_cloud_2023/hyperscaler_financials/microsoft/microsoft_intelligent_cloud/"
    "operating_margin_change/FY2023Q2"
)


def _site(built_warehouse: Path, page_name: str = "index.html") -> str:
    return (built_warehouse.parent / "site" / page_name).as_uri()


def test_site_catalogue_and_a_filtered_sorted_table(built_warehouse: Path, page: Page, tmp_path):
    page.goto(_site(built_warehouse))
    row = page.locator("#catalogue tr").filter(has=page.get_by_text("marts.it_spend", exact=True))
    expect(row).to_contain_text("segment")  # its grain
    expect(row).to_contain_text("2023-")  # freshness: the report's publication date
    row.get_by_role("link", name="marts.it_spend").click()
    expect(page.locator("#rows .status")).to_contain_text("rows 1–")
    # five segments and their total, 2022 and 2023 (section 1.1, Gartner): software twice
    expect(page.locator("#rows .status")).to_have_text("rows 1–12 of 12")
    page.get_by_label("Filter rows").fill("Software")  # any case
    expect(page.locator("#rows .status")).to_have_text("rows 1–2 of 2 (filtered from 12)")
    # 2023 software spending US$856,029 mn, growth 9.3 %
    expect(page.locator("#rows tbody")).to_contain_text("856029")
    page.get_by_label("Filter rows").fill("software 2022")  # every word: 2022's row alone
    expect(page.locator("#rows .status")).to_have_text("rows 1–1 of 1 (filtered from 12)")
    expect(page.locator("#rows tbody")).to_contain_text("7.1")  # its growth in 2022
    page.get_by_label("Filter rows").fill("")
    expect(page.locator("#rows .status")).to_have_text("rows 1–12 of 12")
    column = page.locator("#rows th").all_inner_texts().index("growth_pct")
    header = page.locator("#rows th").nth(column)
    first = page.locator("#rows tbody tr").first.locator("td").nth(column)
    header.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(first).to_have_text("-10.6")  # devices 2022, the steepest fall
    header.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(first).to_have_text("12")  # data-center systems 2022, the fastest growth
    _screenshot(page, tmp_path, "09_site_table")


@pytest.mark.parametrize("fmt", ["CSV", "XLSX"])
def test_site_download_reads_back(built_warehouse: Path, page: Page, tmp_path, fmt):
    page.goto(_site(built_warehouse, "tables/marts.it_spend.html"))
    with page.expect_download() as download:
        page.get_by_role("link", name=fmt, exact=True).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"marts.it_spend.{fmt.lower()}"
    if fmt == "CSV":
        rows = duckdb.sql(
            f"SELECT segment, period, spend_usd_mn, growth_pct FROM '{saved}' "
            "WHERE segment = 'software' AND period = 2023"
        ).fetchall()
        assert rows == [("software", 2023, 856029.0, 9.3)]
    else:
        sheet = openpyxl.load_workbook(saved, read_only=True).active
        header, *rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        record = [dict(zip(header, r, strict=True)) for r in rows]
        software = [r for r in record if r["segment"] == "software" and r["period"] == "2023"]
        assert [(r["spend_usd_mn"], r["growth_pct"]) for r in software] == [(856029, 9.3)]


def test_site_finding_leads_to_the_figure_and_its_provenance(
    built_warehouse: Path, page: Page, tmp_path
):
    """The report prints 下降了2.40pp for the Intelligent Cloud's operating margin from 22Q3
    to 23Q2 (43.5 % → 41.4 %: -2.1 pp), §1.2, sources/…/hyperscaler_financials.csv line 8."""
    page.goto(_site(built_warehouse, "findings.html"))
    finding = page.locator(f"article[id='change:{MARGIN_CHANGE}']")
    expect(finding).to_contain_text("-2.40 pp")
    finding.get_by_role("link", name="provenance").click()
    fields = page.locator("dl.fields")
    expect(fields.locator("[data-field='figure_id']")).to_have_text(MARGIN_CHANGE)
    expect(fields.locator("[data-field='value as printed']")).to_have_text("-2.40 pp")
    expect(fields.locator("[data-field='unit']")).to_have_text("percentage points")
    expect(fields.locator("[data-field='qualifier']")).to_have_text("=")
    expect(fields.locator("[data-field='period']")).to_have_text("FY2023Q2")
    expect(fields.locator("[data-field='section']")).to_have_text("§1.2")
    expect(fields.locator("[data-field='cited source']")).to_have_text("Company filings")
    expect(fields.locator("[data-field='file and line']")).to_have_text(
        "sources/swsc_cloud_2023/hyperscaler_financials.csv, line 8"
    )
    expect(fields.locator("[data-field='quote and page']")).to_contain_text("下降了2.40pp")
    expect(page.locator("#derived")).to_contain_text("marts.report_consistency")
    expect(page.locator("#vintages")).to_have_text("No other report states this figure.")
    _screenshot(page, tmp_path, "10_site_figure")


def test_site_table_in_row_files_shows_page_one_then_reads_the_rest(
    built_warehouse: Path, page: Page, tmp_path, monkeypatch
):
    """A mart of more than FIRST_ROWS rows: its first rows show from the first file, the
    others are read after, and a filter then searches all of them."""
    from pipelines.definitions import defs, table_lineage
    from warehouse.reporting import site

    monkeypatch.setattr(site, "FIRST_ROWS", 100)  # 1,000 and 50,000 on the real site
    monkeypatch.setattr(site, "CHUNK_ROWS", 60)
    lineage = table_lineage(list(defs().resolve_asset_graph().assets_defs))
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        site.build_site(con, tmp_path / "site", "swsc_cloud_2023", lineage, "now")
        [(count,)] = con.execute("SELECT count(*) FROM marts.fct_report_figures").fetchall()
    page.goto((tmp_path / "site" / "tables" / "marts.fct_report_figures.html").as_uri())
    status = page.locator("#rows .status")
    expect(status).to_have_text(f"rows 1–50 of {count:,}")  # every file read
    # 张北's 12 EFLOPS, whichever file holds it
    page.get_by_label("Filter rows").fill("alibaba_zhangbei")
    expect(status).to_contain_text(f"(filtered from {count:,})")
    expect(page.locator("#rows tbody")).to_contain_text("张北智算中心建设规模为12 FLOPS")


def test_site_search_finds_a_chinese_entity_name(built_warehouse: Path, page: Page, tmp_path):
    page.goto(_site(built_warehouse, "search.html"))
    page.get_by_label("Search").fill("张北")
    hit = page.locator(".results li").filter(has_text="alibaba_zhangbei")
    expect(hit).to_contain_text("张北智算中心")
    hit.get_by_role("link").click()
    # the figures table, filtered to the entity: 张北's 12 EFLOPS as the report prints 12 FLOPS
    expect(page.get_by_label("Filter rows")).to_have_value("alibaba_zhangbei")
    expect(page.locator("#rows tbody")).to_contain_text("张北智算中心建设规模为12 FLOPS")
    _screenshot(page, tmp_path, "11_site_search")
