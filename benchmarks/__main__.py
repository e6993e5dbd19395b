"""`python -m benchmarks` (or `make bench`): how fast a refresh is, where its time goes, and how
it scales with the number of reports. Prints one Markdown table (docs/benchmarks.md keeps
the last one, with what dominated before and after each optimization).

Every measurement runs in a fresh process (see `benchmarks.measure`), RUNS times, and is
reported as median [min–max]; the machine's load average is printed with it, since other
work on a 2-core machine moves every figure.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import write_reports
from warehouse import settings

SIZES = (1, 10, 100, 1000)
QUICK_SIZES = (1, 10, 100)
FLOOR_RATIO_GOAL = 2.0
SCALE_GOAL_SECONDS = 60.0


def _measure(kind: str, runs: int, env: dict[str, str]) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", kind, str(runs)],
        env={**{k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise SystemExit(f"benchmark '{kind}' failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _stat(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}–{max(values):.2f}]"


def _median(result: dict, phase: str = "refresh") -> float:
    return statistics.median(run[phase] for run in result["runs"])


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _env(folder: Path, sources: Path) -> dict[str, str]:
    return {"SOURCES_PATH": str(sources), "WAREHOUSE_PATH": str(folder / "cloud.duckdb")}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"2 runs and sizes {QUICK_SIZES} only (a minute or two)",
    )
    parser.add_argument("--sizes", type=int, nargs="*", help=f"report counts (default {SIZES})")
    args = parser.parse_args()
    runs = 2 if args.quick else args.runs
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    started = time.monotonic()
    lines = [
        f"`{' '.join(['python -m benchmarks', *sys.argv[1:]])}`",
        f"{os.cpu_count()} cores, {_load()} at the start",
        "",
    ]
    print("\n".join(lines), flush=True)

    with tempfile.TemporaryDirectory(prefix="crw-bench-") as tmp:
        root = Path(tmp)
        real = _env(root / "real", settings.sources_dir())
        imports = [_measure("imports", 1, {}) for _ in range(runs)]
        full = _measure("refresh", runs, real)
        floor = _measure("noop", runs, _env(root / "noop", settings.sources_dir()))
        table = [f"| measurement | seconds, median [min–max] of {runs} |", "| --- | ---: |"]
        for step in imports[0]:
            table.append(f"| code location load: {step} | {_stat([i[step] for i in imports])} |")
        table.append(
            f"| **full refresh, real sources ({full['figures']} figures), "
            f"in-process** | **{_stat([r['refresh'] for r in full['runs']])}** |"
        )
        for phase in full["runs"][0]:
            if phase != "refresh":
                table.append(f"| … {phase} | {_stat([r[phase] for r in full['runs']])} |")
        table.append(
            f"| floor: same graph, no-op bodies (Dagster's own overhead) | "
            f"{_stat([r['refresh'] for r in floor['runs']])} |"
        )
        table.append(
            f"| floor: the SQL models directly in one DuckDB connection | "
            f"{full['direct SQL models']:.2f} |"
        )
        table.append(
            f"| floor: the SQL tests directly in one DuckDB connection | "
            f"{full['direct SQL tests']:.2f} |"
        )
        ratio = _median(full) / _median(floor)
        table.append(
            f"| **full refresh ÷ no-op floor** (goal ≤ {FLOOR_RATIO_GOAL:g}) | **{ratio:.2f}** |"
        )
        print("\n".join(table), flush=True)

        scale = [
            "",
            "| reports | figures | refresh s, median [min–max] | figures/s | "
            "peak RSS MB | s per 1,000 figures |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        print("\n".join(scale), flush=True)
        for size in sizes:
            sources = root / f"synthetic_{size}" / "sources"
            write_reports(sources, size, settings.sources_dir())
            result = _measure("refresh", runs, _env(sources.parent, sources))
            median = _median(result)
            row = (
                f"| {size:,} | {result['figures']:,} | "
                f"{_stat([r['refresh'] for r in result['runs']])} | "
                f"{result['figures'] / median:,.0f} | {result['peak_rss_mb']:,.0f} | "
                f"{1000 * median / result['figures']:.3f} |"
            )
            scale.append(row)
            print(row, flush=True)
    footer = f"\n{_load()} at the end; the benchmark took {time.monotonic() - started:.0f} s"
    print(footer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
