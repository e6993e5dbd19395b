"""What a clumsy user, a broken disk or a hostile source file can do to a refresh: each case
fails with its cause and leaves the published warehouse (DuckDB file, charts, report.html)
exactly as it was."""

import hashlib
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
from runs import materialize

from pipelines.assets.publish import PUBLISH_KEY
from warehouse.publication import Layout
from warehouse.registry import Registry, RegistryError
from warehouse.store import WarehouseBuild

CRW = str(Path(sys.executable).with_name("crw"))
REPORT = "swsc_cloud_2023"
CHARTS = dg.AssetKey(["reports", "charts"])
REPORT_HTML = dg.AssetKey(["reports", "report_html"])


def _published_files(warehouse: Path) -> dict[str, str]:
    """sha256 of every file a reader reaches through the stable paths beside the warehouse."""
    files = {}
    for stable in sorted(warehouse.parent.iterdir()):
        if stable.name.startswith(".") or stable.suffix == ".lock":
            continue
        paths = sorted(stable.rglob("*")) if stable.is_dir() else [stable]
        for path in paths:
            if path.is_file():
                files[str(path.relative_to(warehouse.parent))] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return files


@pytest.fixture
def published(built_warehouse, sources, tmp_path, monkeypatch) -> Path:
    """A copy of a complete published warehouse (versions, pointer, charts, report.html)."""
    folder = tmp_path / "published"
    shutil.copytree(built_warehouse.parent, folder, symlinks=True)
    path = folder / built_warehouse.name
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    files = _published_files(path)
    assert {"cloud.duckdb", "report.html", "charts/it_spend.png"} <= set(files)
    return path


FAILING_DISK = """
import errno, sys
from warehouse import publication

def failing_fsync(path):  # the disk fails once the new version is renamed into place
    raise OSError(errno.EIO, "Input/output error", str(path))

publication.fsync_directory = failing_fsync
from pipelines.cli import main
sys.exit(main(["refresh"]))
"""


def test_a_failed_publish_fails_the_refresh_and_says_why(published):
    before = _published_files(published)
    done = subprocess.run(
        [sys.executable, "-c", FAILING_DISK], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "FAILED    publish/warehouse" in out
    assert "PublishError: could not publish" in out
    assert "(caused by OSError: [Errno 5] Input/output error" in out
    assert "Published" not in out
    assert f"Nothing published: {published} still holds the last complete refresh." in out
    assert _published_files(published) == before
    assert not list(published.parent.glob(".*.building-*")), "the failed build was left behind"


def test_a_failure_after_the_charts_leaves_charts_page_and_file_as_before(published, monkeypatch):
    before = _published_files(published)
    monkeypatch.setattr(
        "pipelines.assets.reports.render_page",
        lambda *args: (_ for _ in ()).throw(RuntimeError("page broke")),
    )
    result = materialize([CHARTS, REPORT_HTML, PUBLISH_KEY])
    assert not result.success
    drawn = [e.asset_key for e in result.get_asset_materialization_events()]
    assert drawn == [CHARTS], "the charts were drawn into the build, the page failed"
    assert _published_files(published) == before


def test_a_run_without_the_publish_step_is_published_whole_at_its_end(published):
    layout = Layout(published)
    old = layout.current_version()
    result = materialize([CHARTS])
    assert result.success
    new = layout.current_version()
    assert new != old and (new / "charts" / "it_spend.png").is_file()
    assert (new / "report.html").read_bytes() == (old / "report.html").read_bytes()


def test_publishing_swaps_one_pointer_and_keeps_two_versions(tmp_path):
    warehouse = tmp_path / "w" / "cloud.duckdb"
    versions = []
    for n in range(3):
        build = WarehouseBuild(warehouse, token=f"t{n}")
        with build as con:
            con.execute(f"CREATE OR REPLACE TABLE t AS SELECT {n} AS n")
            build.artifact_path("report.html").write_text(f"page {n}")
            build.changed = True
        versions.append(Layout(warehouse).current_version())
    assert (warehouse.parent / "report.html").read_text() == "page 2"
    assert sorted(p.name for p in Layout(warehouse).versions.iterdir()) == [
        versions[1].name,
        versions[2].name,
    ]
    assert warehouse.resolve() == versions[2] / "cloud.duckdb"


def test_a_report_id_that_is_a_path_is_refused_by_the_registry(sources):
    registry_file = sources / "reports.yaml"
    registry_file.write_text(
        registry_file.read_text(encoding="utf-8").replace(
            f"report_id: {REPORT}", "report_id: ../../../tmp/x"
        ),
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match=r"report_id '\.\./\.\./\.\./tmp/x' is not a valid"):
        _ = Registry.load().report_ids


def test_the_traversal_id_is_refused_in_a_single_asset_run(sources, warehouse_file, capsys):
    registry_file = sources / "reports.yaml"
    registry_file.write_text(
        registry_file.read_text(encoding="utf-8").replace(
            f"report_id: {REPORT}", "report_id: /tmp/x"
        ),
        encoding="utf-8",
    )
    try:
        result = materialize([dg.AssetKey(["raw", "it_spend"])])
    except RegistryError as error:  # refused while loading the definitions
        message = str(error)
    else:
        assert not result.success
        message = " ".join(str(e.message) for e in result.all_events if e.is_failure)
        message += " ".join(
            str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure
        )
    assert "'/tmp/x' is not a valid report id" in message
    assert Layout(warehouse_file).published_file() is None


def test_a_yaml_alias_bomb_fails_fast_with_a_message(sources):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    (sources / "reports.yaml").write_text(bomb, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(RegistryError, match=r"anchors and aliases .* are not allowed"):
        _ = Registry.load().report_ids
    assert time.monotonic() - started < 2


def test_a_formula_bomb_fails_fast_with_a_message():
    from warehouse.rules import FormulaError, parse_formula

    started = time.monotonic()
    with pytest.raises(FormulaError, match=r"\*\* takes a number from 0 to 10 as its exponent"):
        parse_formula("spend * 9**9**9**9")
    with pytest.raises(FormulaError, match="longer than 500 characters"):
        parse_formula("+".join(["spend"] * 200))
    with pytest.raises(FormulaError, match="does not parse"):
        parse_formula("(" * 240 + "spend" + ")" * 240)  # RecursionError in the evaluator
    with pytest.raises(FormulaError, match="more than 100 elements"):
        parse_formula("-" * 300 + "spend")
    assert time.monotonic() - started < 2
    assert parse_formula("spend * 1.5 ** 2") is not None


def test_text_cells_keep_their_punctuation_numbers_are_folded():
    from warehouse.source_files import normalize_cell

    assert normalize_cell(" 华为云：昇腾AI ") == "华为云：昇腾AI"
    assert normalize_cell("１，２３４．５") == "1,234.5"
    assert normalize_cell("２０２３") == "2023"


def test_a_corrupt_published_file_is_set_aside_and_rebuilt(tmp_path):
    warehouse = tmp_path / "w" / "cloud.duckdb"
    build = WarehouseBuild(warehouse)
    with build as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS n")
        build.changed = True
    real = Layout(warehouse).published_file()
    real.write_bytes(b"this is not a database" * 1000)

    build = WarehouseBuild(warehouse)
    con = build.open()
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]
    assert (
        len(build.notes) == 1
        and f"the published warehouse {real} is not a readable" in (build.notes[0])
    )
    build.close(publish=False)
    (aside,) = warehouse.parent.glob("cloud.duckdb.corrupt-*")
    assert aside.read_bytes().startswith(b"this is not a database")


def test_a_refresh_waiting_for_the_lock_says_who_holds_it(tmp_path):
    warehouse = tmp_path / "w" / "cloud.duckdb"
    holder = WarehouseBuild(warehouse, token="holder")
    holder.open()
    heard: list[str] = []
    waiter = WarehouseBuild(warehouse, token="waiter")
    thread = threading.Thread(target=waiter.open, kwargs={"on_wait": heard.append})
    thread.start()
    deadline = time.monotonic() + 30
    while not heard and time.monotonic() < deadline:
        time.sleep(0.05)
    holder.close(publish=False)
    thread.join(timeout=30)
    waiter.close(publish=False)
    assert len(heard) == 1
    assert heard[0].startswith(f"waiting for {warehouse}.lock: process ")
    assert "is refreshing this warehouse" in heard[0]


def test_a_malformed_table_registry_is_one_line_not_a_traceback(sources, warehouse_file):
    (sources / "tables.yaml").write_text("tables:\n  it_spend: [unclosed\n", encoding="utf-8")
    done = subprocess.run([CRW, "refresh"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "crw refresh: cannot load the pipeline: RegistryError: cannot read the table " in (
        done.stdout
    )
    assert f"{sources / 'tables.yaml'}: is not valid YAML" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_a_cell_over_the_csv_field_limit_names_the_file_and_line(tmp_path):
    from warehouse.source_files import SourceFileError, read_source_file

    path = tmp_path / "it_spend.csv"
    path.write_text("entity,note\nsoftware,ok\ndevices," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"it_spend.csv: line 3: field larger than"):
        read_source_file(path, "sources/r/it_spend.csv", "rows")
