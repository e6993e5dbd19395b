"""The UI as users see it, in a real browser: Playwright drives Debian's Chromium (never a
downloaded one) against `dagster dev` (webserver + daemon, as `make dev` runs it) with a
temporary DAGSTER_HOME and warehouse, and against the generated report.html.

Screenshots go to the test's tmp dir and are copied to build/screenshots/ (git-ignored).
`make test` installs Chromium and the CJK font (`make system-deps`); without them these tests
skip with the reason.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from warehouse import settings
from warehouse.reporting import report_path
from warehouse.reporting.charts import CHARTS

pytestmark = pytest.mark.browser

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
GROUPS = ("raw", "staging", "marts", "metrics", "reports")
SERVER_START_SECONDS = 240
RUN_SECONDS = 240
STOP_SECONDS = 20
UI_TIMEOUT_MS = 60_000
SCREENSHOTS = settings.PROJECT_ROOT / "build" / "screenshots"
CJK_FONT_MARKERS = ("CJK", "Source Han", "WenQuanYi", "Droid Sans Fallback")

if CHROMIUM is None:
    pytest.skip(
        "chromium is not installed: `make system-deps` installs it (as root, with apt-get)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]


def _stop(process: subprocess.Popen) -> None:
    """`dagster dev` and everything it started (webserver, daemon, code server, run
    workers): its own process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: it stops its children itself
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`dagster dev` on a free loopback port: its base URL and the warehouse file it builds."""
    root = tmp_path_factory.mktemp("ui")
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(settings.PROJECT_ROOT / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    warehouse = root / "warehouse" / "cloud.duckdb"
    env = {**os.environ, "DAGSTER_HOME": str(home), "WAREHOUSE_PATH": str(warehouse)}
    env.pop("SOURCES_PATH", None)
    port = _free_port()
    log = (root / "dagster_dev.log").open("wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster")), "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=settings.PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while _get(f"{base}/server_info") is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dagster dev did not serve {base}; see {log.name}")
            time.sleep(1)
        yield base, warehouse
    finally:
        _stop(process)
        log.close()


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
    yield page
    context.close()


def _screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENSHOTS / path.name)
    return path


def _dismiss_welcome(page: Page) -> None:
    """The first visit to a fresh instance asks to join the community: skip it."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.click(timeout=10_000)
    except Exception:  # no dialog this time
        return


def _runs(base: str) -> list[dict]:
    data = _graphql(base, "{ runsOrError { ... on Runs { results { runId status } } } }")
    return data["runsOrError"]["results"]


def test_materialize_all_from_the_asset_graph(dagster_ui, page: Page, tmp_path: Path):
    base, warehouse = dagster_ui
    page.goto(f"{base}/asset-groups")
    _dismiss_welcome(page)
    sidebar = page.locator("body")
    for group in GROUPS:
        expect(sidebar.get_by_text(group, exact=True).first).to_be_visible()
    _screenshot(page, tmp_path, "01_asset_graph")

    assert _runs(base) == []
    page.get_by_role("button", name="Materialize all").click()
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
    expect(page.get_by_text("ago").first).to_be_visible()  # the latest materialization
    _screenshot(page, tmp_path, "03_gpu_demand")
    metadata = page.get_by_role("row").filter(has=page.get_by_text("training_gpus", exact=True))
    metadata.scroll_into_view_if_needed()
    expect(metadata).to_contain_text("15531")
    _screenshot(page, tmp_path, "04_gpu_demand_metadata")

    page.goto(f"{base}/assets/marts/gpu_demand?view=checks")
    expect(page.get_by_text("reproduces_report").first).to_be_visible()
    expect(page.get_by_text("Passed").first).to_be_visible()
    _screenshot(page, tmp_path, "05_gpu_demand_checks")

    page.goto(f"{base}/assets/reports/charts")
    expect(page.get_by_text("it_spend_path").first).to_be_visible()
    _screenshot(page, tmp_path, "06_charts_asset")
    # A chart is shown in the UI: its markdown metadata opens with the PNG inline.
    page.get_by_role("row").filter(has=page.get_by_text("it_spend", exact=True)).get_by_text(
        "Show Markdown"
    ).click()
    chart = page.get_by_role("dialog").locator("img")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth") > 0
    _screenshot(page, tmp_path, "07_chart_in_ui")

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
