"""Publishing step by step, without races: the system calls a publish makes are recorded in
order (every file fsynced, then every folder of the build, the build renamed into the
versions, that directory fsynced, the pointer replaced, the folder fsynced), and a reader
holding the old file keeps its bytes."""

import os
from pathlib import Path

import pytest

from warehouse.publication import Layout
from warehouse.store import WarehouseBuild


def _build(warehouse: Path, n: int) -> WarehouseBuild:
    """An open build with a table, a page and a chart, ready to publish."""
    build = WarehouseBuild(warehouse, token=f"t{n}")
    con = build.open()
    con.execute(f"CREATE OR REPLACE TABLE t AS SELECT {n} AS n")
    build.artifact_path("report.html").write_text(f"page {n}", encoding="utf-8")
    charts = build.artifact_path("charts")
    charts.mkdir(exist_ok=True)
    (charts / "a.png").write_bytes(b"png %d" % n)
    return build


@pytest.fixture
def calls(monkeypatch):
    """Records fsync, rename and replace as (call, path relative to the warehouse folder, …);
    the real calls still happen. Version directories read as '<version>'."""
    recorded: list[tuple[str, ...]] = []
    real_fsync, real_rename, real_replace = os.fsync, os.rename, os.replace
    state = {"root": None}

    def name(path) -> str:
        relative = os.path.relpath(os.fspath(path), state["root"])
        parts = Path(relative).parts
        if len(parts) > 1 and parts[0].endswith(".versions"):
            relative = str(Path(parts[0], "<version>", *parts[2:]))
        return relative

    def fsync(fd):
        recorded.append(("fsync", name(os.readlink(f"/proc/self/fd/{fd}"))))
        return real_fsync(fd)

    def rename(src, dst, *args, **kwargs):
        recorded.append(("rename", name(src), name(dst)))
        return real_rename(src, dst, *args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        recorded.append(("replace", name(src), name(dst)))
        return real_replace(src, dst, *args, **kwargs)

    def start(root: Path) -> list[tuple[str, ...]]:
        state["root"] = root
        recorded.clear()
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "rename", rename)
        monkeypatch.setattr(os, "replace", replace)
        return recorded

    return start


def _files_then_rest(recorded, count):
    """The first `count` calls (the files' fsyncs, in any order) as a set, and the rest."""
    return set(recorded[:count]), recorded[count:]


def test_first_publish_fsyncs_every_file_then_renames_then_links(tmp_path, calls):
    warehouse = tmp_path / "w" / "cloud.duckdb"
    build = _build(warehouse, 0)
    pid = os.getpid()
    recorded = calls(warehouse.parent)
    build.close()
    files, rest = _files_then_rest(recorded, 3)
    building = ".cloud.duckdb.building-t0"
    assert files == {
        ("fsync", f"{building}/cloud.duckdb"),
        ("fsync", f"{building}/report.html"),
        ("fsync", f"{building}/charts/a.png"),
    }
    assert rest == [
        ("fsync", f"{building}/charts"),  # the folder's entries: deepest first
        ("fsync", building),
        ("rename", building, ".cloud.duckdb.versions/<version>"),
        ("fsync", ".cloud.duckdb.versions"),
        ("replace", f"..cloud.duckdb.current.{pid}.link", ".cloud.duckdb.current"),
        ("replace", f".charts.{pid}.link", "charts"),
        ("replace", f".cloud.duckdb.{pid}.link", "cloud.duckdb"),
        ("replace", f".report.html.{pid}.link", "report.html"),
        ("fsync", "."),
    ]


def test_next_publish_moves_only_the_pointer(tmp_path, calls):
    warehouse = tmp_path / "w" / "cloud.duckdb"
    _build(warehouse, 0).close()
    build = _build(warehouse, 1)
    recorded = calls(warehouse.parent)
    build.close()
    files, rest = _files_then_rest(recorded, 3)
    assert files == {
        ("fsync", f".cloud.duckdb.building-t1/{name}")
        for name in ("cloud.duckdb", "report.html", "charts/a.png")
    }
    assert rest == [
        ("fsync", ".cloud.duckdb.building-t1/charts"),
        ("fsync", ".cloud.duckdb.building-t1"),
        ("rename", ".cloud.duckdb.building-t1", ".cloud.duckdb.versions/<version>"),
        ("fsync", ".cloud.duckdb.versions"),
        ("replace", f"..cloud.duckdb.current.{os.getpid()}.link", ".cloud.duckdb.current"),
        ("fsync", "."),
    ]


def test_a_reader_of_the_old_version_keeps_its_bytes(tmp_path):
    """What a reader opened before a publish is never written to: a new version is a new
    file, the old one stays as it was (its inode, its bytes)."""
    warehouse = tmp_path / "w" / "cloud.duckdb"
    _build(warehouse, 0).close()
    old_page = (warehouse.parent / "report.html").open("rb")
    old_db = warehouse.open("rb")
    old_inode = os.fstat(old_db.fileno()).st_ino
    old_bytes = old_db.read()
    build = _build(warehouse, 1)
    build.close()
    assert old_page.read() == b"page 0"
    old_db.seek(0)
    assert old_db.read() == old_bytes
    assert warehouse.stat().st_ino != old_inode
    assert (warehouse.parent / "report.html").read_bytes() == b"page 1"
    assert (warehouse.parent / "charts" / "a.png").read_bytes() == b"png 1"
    old_page.close()
    old_db.close()
    assert Layout(warehouse).current_version().name.endswith("-t1")
