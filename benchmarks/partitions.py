"""`python -m benchmarks.partitions`: a backfill of the per-report partitions
(`extraction/report_mentions`) over N synthetic report documents, on one SQLite instance.

The backfill is what Dagster makes of it: runs of PARTITIONS_PER_RUN partitions (the asset's
backfill policy), executed one at a time (1 process) and two at a time (2 processes, as the
queue admits them with `max_concurrent_runs: 2`); for reference, also one run of all N.
Alternating, ROUNDS times. Each run is a fresh process that loads the code location and
executes the job in-process over its range of partitions, as a run the daemon launches does,
so the figures include what every run pays to start. The load average is printed beside
them: on a shared 2-core machine it decides the ratio.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg

from benchmarks.synthetic import report_id, write_reports
from pipelines.assets.extraction import PARTITIONS_NAME, PARTITIONS_PER_RUN
from warehouse import settings

GOAL = 1.7  # one process ÷ two processes
ONE_PROCESS = "1 process (the backfill's runs one at a time)"
TWO_PROCESSES = "2 processes (the same runs, two at a time)"
_RUN = """
import sys
import dagster as dg
from pipelines.assets.extraction import EXTRACT_JOB
from pipelines.definitions import defs
first, last = sys.argv[1:3]
tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}
with dg.DagsterInstance.get() as instance:
    result = defs().resolve_job_def(EXTRACT_JOB).execute_in_process(instance=instance, tags=tags)
sys.exit(0 if result.success else 1)
"""


def _start(first: int, last: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _RUN, report_id(first), report_id(last)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _backfill(ranges: list[tuple[int, int]], at_once: int, env: dict[str, str]) -> float:
    """Seconds until every run of `ranges` (report indexes, inclusive) has finished, with at
    most `at_once` of them in progress (the run queue's limit): a run starts as one ends."""
    began = time.perf_counter()
    waiting, running = list(ranges), []
    while waiting or running:
        while waiting and len(running) < at_once:
            running.append(_start(*waiting.pop(0), env))
        finished = [run for run in running if run.poll() is not None]
        if any(run.returncode for run in finished):
            raise RuntimeError("a backfill run failed")
        running = [run for run in running if run not in finished]
        time.sleep(0.05)
    return time.perf_counter() - began


def _runs(n: int, per_run: int) -> list[tuple[int, int]]:
    """The runs a backfill of reports 1..n is split into: ranges of `per_run`."""
    return [(first, min(first + per_run - 1, n)) for first in range(1, n + 1, per_run)]


def measure(n: int, rounds: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        write_reports(root / "sources", n, settings.sources_dir())
        home = root / "dagster_home"
        home.mkdir()
        shutil.copyfile(settings.PROJECT_ROOT / "pipelines" / "dagster.yaml", home / "dagster.yaml")
        env = {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "SOURCES_PATH": str(root / "sources"),
            "WAREHOUSE_PATH": str(root / "warehouse" / "cloud.duckdb"),
            "EXTRACTIONS_PATH": str(root / "extractions"),
        }
        os.environ["DAGSTER_HOME"] = str(home)
        with dg.DagsterInstance.get() as instance:
            instance.add_dynamic_partitions(PARTITIONS_NAME, [report_id(i + 1) for i in range(n)])
        runs = _runs(n, PARTITIONS_PER_RUN)
        plans = {
            ONE_PROCESS: (runs, 1),
            TWO_PROCESSES: (runs, 2),
            f"one run of all {n} (reference)": ([(1, n)], 1),
        }
        times: dict[str, list[float]] = {name: [] for name in plans}
        for _ in range(rounds):
            for name, (ranges, at_once) in plans.items():
                times[name].append(_backfill(ranges, at_once, env))
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    load_before = os.getloadavg()
    times = measure(args.reports, args.rounds)
    load_after = os.getloadavg()
    print(
        f"{args.reports} report documents, {args.rounds} rounds, load average (1, 5, 15 min) "
        f"{load_before} before, {load_after} after; the backfill's runs hold up to "
        f"{PARTITIONS_PER_RUN} partitions each"
    )
    for name, seconds in times.items():
        print(
            f"| {name} | {statistics.median(seconds):.2f} [{min(seconds):.2f}–{max(seconds):.2f}] |"
        )
    ratio = statistics.median(times[ONE_PROCESS]) / statistics.median(times[TWO_PROCESSES])
    print(f"1 process ÷ 2 processes: {ratio:.2f} (goal ≥ {GOAL})")


if __name__ == "__main__":
    main()
