"""`python -m benchmarks.partitions`: a backfill of the per-report partitions
(`extraction/report_mentions`) over N synthetic report documents, run as one run of all N
partitions, then as two runs of N/2 each started together (two processes, as a backfill's
runs are when the run limit admits two), on one SQLite instance; alternating, ROUNDS times.

Each run is a fresh process that loads the code location and executes the job in-process
over its range of partitions, so the figures include what every run pays to start. The load
average is printed beside them: on a shared 2-core machine it decides the ratio.
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

from benchmarks.synthetic import report_id, write_reports
from warehouse import settings

GOAL = 1.7  # one process ÷ two processes
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


def _backfill(ranges: list[tuple[int, int]], env: dict[str, str]) -> float:
    """Seconds until every run of `ranges` (report indexes, inclusive) has finished."""
    began = time.perf_counter()
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _RUN, report_id(first), report_id(last)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for first, last in ranges
    ]
    if any(run.wait() for run in runs):
        raise RuntimeError("a backfill run failed")
    return time.perf_counter() - began


def measure(n: int, rounds: int) -> dict[str, list[float]]:
    import dagster as dg

    from pipelines.assets.extraction import PARTITIONS_NAME

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
        half = n // 2
        plans = {"1 process": [(1, n)], "2 processes": [(1, half), (half + 1, n)]}
        times: dict[str, list[float]] = {name: [] for name in plans}
        for _ in range(rounds):
            for name, ranges in plans.items():
                times[name].append(_backfill(ranges, env))
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
        f"{load_before} before, {load_after} after"
    )
    for name, seconds in times.items():
        print(
            f"| {name} | {statistics.median(seconds):.2f} [{min(seconds):.2f}–{max(seconds):.2f}] |"
        )
    ratio = statistics.median(times["1 process"]) / statistics.median(times["2 processes"])
    print(f"1 process ÷ 2 processes: {ratio:.2f} (goal ≥ {GOAL})")


if __name__ == "__main__":
    main()
