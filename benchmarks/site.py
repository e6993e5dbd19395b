"""The data site's rows of `make bench`: how long `build_site` takes on a refreshed warehouse
(the real report from scratch and over its previous site, as a refresh builds it, and 1,000
synthetic reports), how many files it writes, and whether the
figures table's page stays responsive in Chromium with every row (256,000 at 1,000 reports):
seconds until the first page of rows shows, until every row file is read, and from typing a
filter to its result.

The site is built from the published file through a read-only connection, into a temporary
folder, so the timing is the site's own work inside the `reports` step of a refresh.
"""

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

REAL_GOAL_SECONDS = 1.0  # what the site adds to a refresh of the real report
SCALE_GOAL_SECONDS = 30.0  # 1,000 reports
FILES_GOAL = 300
PAGE_GOAL_SECONDS = 5.0  # first rows of the largest table page on screen, and a filter


def _build(warehouse: Path, folder: Path) -> tuple[float, int]:
    from pipelines.definitions import defs, table_lineage
    from warehouse.reporting.charts import CHART_FIGURE_TABLES
    from warehouse.reporting.provenance import report_to_show
    from warehouse.reporting.site import build_site

    lineage = table_lineage(list(defs().resolve_asset_graph().assets_defs))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        report_id = report_to_show(con, CHART_FIGURE_TABLES)["report_id"]
        began = time.perf_counter()
        summary = build_site(con, folder, report_id, lineage, "benchmark")
        return time.perf_counter() - began, summary.files


def build_seconds(warehouse: Path, runs: int, again: bool = False) -> tuple[list[float], int]:
    """`runs` builds of the site of `warehouse` and its files: each into a fresh folder, or
    (`again`) each over the site built before, as a refresh whose marts did not change."""
    times: list[float] = []
    files = 0
    folder = Path(tempfile.mkdtemp(prefix="crw-site-"))
    try:
        if again:
            _build(warehouse, folder / "site")
        for _ in range(runs):
            if not again:
                shutil.rmtree(folder / "site", ignore_errors=True)
            seconds, files = _build(warehouse, folder / "site")
            times.append(seconds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return times, files


def page_seconds(warehouse: Path, table: str = "marts.fct_report_figures") -> dict[str, float]:
    """Open the site's page of `table` from file:// in Chromium: seconds to the first rows,
    and from filling the filter to the filtered count. Empty without Chromium."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return {}
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="crw-site-"))
    try:
        _build(warehouse, folder / "site")
        url = (folder / "site" / "tables" / f"{table}.html").as_uri()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"], headless=True
            )
            page = browser.new_page()
            began = time.perf_counter()
            page.goto(url, wait_until="commit", timeout=120_000)
            page.wait_for_selector("#rows tbody tr", timeout=120_000)
            opened = time.perf_counter() - began
            page.wait_for_function(
                "!document.querySelector('#rows .status').textContent.includes('loading')",
                timeout=120_000,
            )
            loaded = time.perf_counter() - began
            rows = page.locator("#rows .status").inner_text()
            began = time.perf_counter()
            page.get_by_label("Filter rows").fill("intelligent_compute 2022")
            page.wait_for_function(
                "document.querySelector('#rows .status').textContent.includes('filtered')",
                timeout=120_000,
            )
            filtered = time.perf_counter() - began
            browser.close()
        return {
            "open": opened,
            "loaded": loaded,
            "filter": filtered,
            "rows": float(rows.split(" of ")[1].replace(",", "")),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _goal(label: str, value: float, goal: float, unit: str = "") -> str:
    met = "met" if value <= goal else "**not met**"
    return f"| {label} (goal ≤ {goal:g}{unit}) | {value:.2f}{unit} ({met}) |"


def rows(real: Path, scaled: Path | None, runs: int) -> list[str]:
    """The Markdown rows: the real report's site, then 1,000 reports' if `scaled` is given."""
    times, files = build_seconds(real, runs)
    again, _ = build_seconds(real, runs, again=True)
    table = [
        "",
        "| data site | measured |",
        "| --- | ---: |",
        _goal("site build, real report, s (median)", statistics.median(times), REAL_GOAL_SECONDS),
        _goal(
            "… again over the published site, marts unchanged, s (median)",
            statistics.median(again),
            REAL_GOAL_SECONDS,
        ),
        f"| … files | {files} |",
    ]
    if scaled is not None:
        times, files = build_seconds(scaled, 1)
        table += [
            _goal("site build, 1,000 reports, s", times[0], SCALE_GOAL_SECONDS),
            _goal("… files", files, FILES_GOAL),
        ]
        page = page_seconds(scaled)
        if page:
            table += [
                _goal(
                    f"figures table page ({page['rows']:,.0f} rows): first rows shown, s",
                    page["open"],
                    PAGE_GOAL_SECONDS,
                ),
                f"| … every row read, s | {page['loaded']:.2f} |",
                _goal("… a filter typed to its result, s", page["filter"], PAGE_GOAL_SECONDS),
            ]
    return table
