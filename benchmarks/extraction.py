"""The extractor's speed, for `python -m benchmarks`: `crw extract` on the report as a whole
process beside the bare import of the CLI, the report documents' share of a refresh (loading
the documents and building the coverage mart), and many documents extracted on every core,
each worker reading and extracting one document at a time (memory stays that of one
document per worker, whatever the count)."""

import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from warehouse import settings

REPORT = "swsc_cloud_2023"
EXTRACT_GOAL_SECONDS = 1.0  # `crw extract` on the report beyond the bare import of the CLI
REFRESH_SHARE_GOAL = 0.10  # documents + coverage ÷ a full refresh
DOCUMENTS_GOAL_SECONDS = 60.0  # 1,000 documents


def _report_text() -> Path:
    return settings.sources_dir() / REPORT / "report.txt"


def _timed(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - began


def whole_process(runs: int) -> tuple[list[float], list[float]]:
    """`crw extract` on the report and `import pipelines.cli` alone, alternating, each a fresh
    process, after one untimed round."""
    crw = str(Path(sys.executable).with_name("crw"))
    commands = (
        [crw, "extract", str(_report_text()), "--format", "csv"],
        [sys.executable, "-c", "import pipelines.cli"],
    )
    extract, bare = [], []
    for round_ in range(runs + 1):
        seconds = [_timed(command) for command in commands]
        if round_:
            extract.append(seconds[0])
            bare.append(seconds[1])
    return extract, bare


def in_refresh(warehouse: Path, runs: int) -> float:
    """Median seconds of what the report documents add to a refresh: reading them into their
    tables' frames and building the coverage rows from a built warehouse."""
    from warehouse.extraction.coverage import report_coverage
    from warehouse.loading import load_table
    from warehouse.registry import DOCUMENTS, Registry
    from warehouse.store import connect_readonly

    times = []
    for _ in range(runs):
        began = time.perf_counter()
        registry = Registry.load()
        for spec in registry.tables.values():
            if spec.kind == DOCUMENTS:
                load_table(registry, spec)
        con = connect_readonly(warehouse)
        try:
            report_coverage(con)
        finally:
            con.close()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _extract_one(path: str) -> int:
    from warehouse.documents import read_document
    from warehouse.extraction.mentions import extract

    return len(extract(read_document(Path(path), path)))


def documents(count: int, folder: Path) -> dict:
    """Extract `count` documents (the report's text, each with a line of its own) on every
    core; wall seconds, mentions, the largest worker's peak memory, and the workers' CPU
    seconds (user + system): on a shared machine the wall time depends on the others' load,
    the CPU time much less, and CPU seconds ÷ cores is the wall time the same work takes on
    idle cores."""
    folder.mkdir(parents=True, exist_ok=True)
    text = _report_text().read_text(encoding="utf-8")
    paths = []
    for index in range(count):
        path = folder / f"report_{index:04d}.txt"
        path.write_text(f"{text}\n第{index}份报告：样本收入增长{index % 97}.5%\n", encoding="utf-8")
        paths.append(str(path))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        mentions = sum(pool.map(_extract_one, paths, chunksize=8))
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return {
        "seconds": wall,
        "mentions": mentions,
        "worker_peak_rss_mb": after.ru_maxrss / 1024,
        "worker_cpu_seconds": cpu,
    }
