"""`python -m benchmarks` (or `make bench`): how fast a refresh is, where its time goes, and how
it scales with the number of reports. Prints one Markdown table (docs/benchmarks.md keeps
the last one, with what dominated before and after each optimization).

Every measurement runs in a fresh process (see `benchmarks.measure`), RUNS times, and is
reported as median [min–max]; the machine's load average is printed with it, since other
work on a 2-core machine moves every figure. The whole-process rows time `crw refresh` as
`make run` starts it (SQLite run history in a DAGSTER_HOME), the same with PostgreSQL run
history (a server this benchmark starts), the same with an ephemeral instance, and a bare
import of its libraries, alternating them in each round after one untimed round; `dbt build`
of the same SQL runs beside them when `make dbt-peer` installed it (benchmarks.dbt_peer). The
goal and ratio rows divide figures measured in this same run.
"""

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import dbt_peer, extraction, site
from benchmarks.postgres_server import binaries, postgres_server
from benchmarks.synthetic import write_reports
from warehouse import settings

SIZES = (1, 10, 100, 1000)
QUICK_SIZES = (1, 10, 100)
FLOOR_RATIO_GOAL = 2.0
IMPORT_RATIO_GOAL = 2.0  # `make run`'s refresh ÷ the bare import of its libraries
HISTORY_RATIO_GOAL = 1.15  # the same with SQLite history ÷ with an ephemeral instance
DATA_WORK_RATIO_GOAL = 1.5  # in-process refresh ÷ the data's own work
SQL_RATIO_GOAL = 2.0  # the SQL layer inside a refresh ÷ the same SQL directly in DuckDB
SCALE_GOAL_SECONDS = 10.0  # 1,000 reports
MEMORY_GOAL_MB = 600.0
LIBRARIES = "import dagster, pandas, pandera.pandas, duckdb, sqlglot"


def _measure(kind: str, runs: int, env: dict[str, str], cold: bool = False) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", kind, str(runs), *(["--cold"] * cold)],
        env={**{k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise SystemExit(f"benchmark '{kind}' failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _timed(command: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=True)
    return time.perf_counter() - began


def _history_of_last_run(home: Path) -> str:
    """What the newest run stored in the SQLite history under `home`: its events (in the run's
    own database) and the copies in the cross-run index (asset and check events)."""
    runs = home / "history" / "runs"
    shards = [p for p in runs.glob("*.db") if p.stem != "index"]
    shard = max(shards, key=lambda p: p.stat().st_mtime)
    totals = []
    for database, where in ((shard, ""), (runs / "index.db", " WHERE run_id = ?")):
        with contextlib.closing(sqlite3.connect(database)) as con:
            query = f"SELECT count(*), sum(length(event)) FROM event_logs{where}"
            totals.append(con.execute(query, [shard.stem] if where else []).fetchone())
    (events, size), (copies, copied) = totals
    return f"{events} events, {size / 1024:,.0f} kB; index copies {copies}, {copied / 1024:,.0f} kB"


def _whole_process(runs: int, folder: Path, postgres_url: str | None) -> dict[str, list[float]]:
    """`crw refresh` with SQLite history, with PostgreSQL history (when a server is given) and
    with an ephemeral instance, and the bare import of its libraries, each a fresh process,
    alternating, after one untimed round."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_HOME", "DAGSTER_PG"))}
    base["WAREHOUSE_PATH"] = str(folder / "cloud.duckdb")
    crw = [str(Path(sys.executable).with_name("crw")), "refresh"]
    commands = {SQLITE: (crw, {**base, "DAGSTER_HOME": _dagster_home(folder / "sqlite_home")})}
    if postgres_url:
        home = _dagster_home(folder / "postgres_home")
        commands[POSTGRES] = (crw, {**base, "DAGSTER_HOME": home, "DAGSTER_PG_URL": postgres_url})
    commands[EPHEMERAL] = (crw, base)
    commands[IMPORT] = ([sys.executable, "-c", LIBRARIES], base)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, (command, env) in commands.items():
            seconds = _timed(command, env)
            if round_:
                times[name].append(seconds)
    return times


def _dagster_home(folder: Path) -> str:
    """A DAGSTER_HOME as the Makefile lays it out."""
    folder.mkdir(parents=True)
    shutil.copyfile(settings.PROJECT_ROOT / "pipelines" / "dagster.yaml", folder / "dagster.yaml")
    return str(folder)


def _whole_process_with_postgres(runs: int, folder: Path) -> dict[str, list[float]]:
    """The whole-process rows, PostgreSQL's against a local server with durable settings
    (fsync on, as a real deployment runs it); without PostgreSQL installed, the others."""
    bin_dir = binaries()
    if bin_dir is None:
        print("PostgreSQL is not installed (`make system-deps`): no PostgreSQL row", flush=True)
        return _whole_process(runs, folder, None)
    with postgres_server(bin_dir, durable=True) as server:
        return _whole_process(runs, folder, server.new_database())


SQLITE = "`crw refresh`, SQLite run history (what `make run` does)"
POSTGRES = "`crw refresh`, PostgreSQL run history (local server, fsync on)"
EPHEMERAL = "`crw refresh`, ephemeral instance"
IMPORT = f"bare `{LIBRARIES}`"


def _goal(label: str, value: float, goal: float, unit: str = "") -> str:
    met = "met" if value <= goal else "**not met**"
    return f"| {label} (goal ≤ {goal:g}{unit}) | {value:.2f}{unit} ({met}) |"


def _stat(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}–{max(values):.2f}]"


def _median(result: dict, phase: str = "refresh") -> float:
    return statistics.median(run[phase] for run in result["runs"])


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _env(folder: Path, sources: Path) -> dict[str, str]:
    return {"SOURCES_PATH": str(sources), "WAREHOUSE_PATH": str(folder / "cloud.duckdb")}


def _extraction_rows(
    runs: int, real: dict[str, str], refresh_seconds: float, root: Path, quick: bool
) -> list[str]:
    """`crw extract` against the bare import of the CLI, the documents' share of a refresh,
    and many documents extracted on every core (benchmarks.extraction)."""
    extract, bare = extraction.whole_process(runs)
    added = extraction.in_refresh(Path(real["WAREHOUSE_PATH"]), runs)
    count = 100 if quick else 1000
    many = extraction.documents(count, root / "documents")
    beyond = statistics.median(extract) - statistics.median(bare)
    rows = [
        "",
        "| report documents | measured |",
        "| --- | ---: |",
        f"| whole process: `crw extract` on the report, s | {_stat(extract)} |",
        f"| whole process: bare `import pipelines.cli`, s | {_stat(bare)} |",
        f"| documents + coverage inside a refresh, s (median) | {added:.2f} |",
        f"| {count:,} documents extracted on {os.cpu_count()} cores, s | {many['seconds']:.1f} |",
        f"| … largest worker's peak RSS, MB | {many['worker_peak_rss_mb']:.0f} |",
        f"| … workers' CPU time ÷ {os.cpu_count()} cores (the wall time on idle cores), s, "
        f"at {_load()} | {many['worker_cpu_seconds'] / (os.cpu_count() or 1):.1f} |",
        _goal(
            "`crw extract` beyond the bare import", beyond, extraction.EXTRACT_GOAL_SECONDS, " s"
        ),
        _goal(
            "documents + coverage ÷ full refresh",
            added / refresh_seconds,
            extraction.REFRESH_SHARE_GOAL,
        ),
    ]
    if count == 1000:
        rows.append(
            _goal(
                "1,000 documents extracted",
                many["seconds"],
                extraction.DOCUMENTS_GOAL_SECONDS,
                " s",
            )
        )
    return rows


def _print_scale(sizes: tuple[int, ...], runs: int, root: Path) -> None:
    """Synthetic report sets of each size, refreshed `runs` (at least 2) times in one process.
    The first refresh extracts every document for the coverage mart and stores the mentions,
    and checks every quote and keeps the files' passed checks; the ones after read both, as a
    scheduled refresh does once each report's document was extracted on arrival (its
    partition) and its files loaded once. Both are shown; the goals are on the refreshes
    after. Rows print as each size is done."""
    header = [
        "",
        "| reports | figures | first refresh s (extracts, checks every quote) | "
        "refresh again s, median [min–max] | figures/s | peak RSS MB | s per 1,000 figures |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    print("\n".join(header), flush=True)
    results: dict[int, dict] = {}
    again: dict[int, float] = {}  # size -> median of the refreshes after the first
    for size in sizes:
        sources = root / f"synthetic_{size}" / "sources"
        write_reports(sources, size, settings.sources_dir())
        result = results[size] = _measure(
            "refresh", max(runs, 2), _env(sources.parent, sources), cold=True
        )
        first, *later = result["runs"]
        median = again[size] = statistics.median(r["refresh"] for r in later)
        print(
            f"| {size:,} | {result['figures']:,} | {first['refresh']:.2f} | "
            f"{_stat([r['refresh'] for r in later])} | "
            f"{result['figures'] / median:,.0f} | {result['peak_rss_mb']:,.0f} | "
            f"{1000 * median / result['figures']:.3f} |",
            flush=True,
        )
    largest = max(sizes)
    first, *later = results[largest]["runs"]
    rows = [
        "",
        f"| {largest:,} reports, by phase | first refresh s | refresh again s (median) |",
        "| --- | ---: | ---: |",
        *(
            f"| {phase} | {first[phase]:.2f} | {statistics.median(r[phase] for r in later):.2f} |"
            for phase in first
            if phase != "refresh"
        ),
        "",
        f"| {largest:,} reports, the last refresh's steps in run order | peak RSS MB |",
        "| --- | ---: |",
        *(f"| {step} | {mb:,.0f} |" for step, mb in results[largest]["step_peak_rss_mb"].items()),
    ]
    if 1000 in results:
        rows += [
            "",
            "| scale goal | measured |",
            "| --- | ---: |",
            _goal("1,000 reports, refresh again, seconds", again[1000], SCALE_GOAL_SECONDS),
            _goal("1,000 reports, peak RSS MB", results[1000]["peak_rss_mb"], MEMORY_GOAL_MB),
        ]
        if 100 in results:
            growth = again[1000] / again[100]
            rows.append(_goal("time × from 100 to 1,000 reports (linear: 10)", growth, 10.0))
    print("\n".join(rows), flush=True)


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
        whole = _whole_process_with_postgres(runs, root / "whole")
        # The first load parses the SQL files; the others read the parse cache it left.
        (root / "imports").mkdir()
        first_load, *imports = [
            _measure("imports", 1, _env(root / "imports", settings.sources_dir()))
            for _ in range(runs + 1)
        ]
        full = _measure("refresh", runs, real)
        floor = _measure("noop", runs, _env(root / "noop", settings.sources_dir()))
        table = [f"| measurement | seconds, median [min–max] of {runs} |", "| --- | ---: |"]
        for name, values in whole.items():
            table.append(f"| whole process: {name} | {_stat(values)} |")
        history = _history_of_last_run(root / "whole" / "sqlite_home")
        table.append(f"| … what that refresh stored in the SQLite history | {history} |")
        stores = _measure("history", runs, _env(root / "history", settings.sources_dir()))
        for storage in stores["runs"][0]:
            table.append(
                f"| run history alone: a run of {stores['assets']} empty assets, {storage} | "
                f"{_stat([r[storage] for r in stores['runs']])} |"
            )
        for step in imports[0]:
            table.append(f"| code location load: {step} | {_stat([i[step] for i in imports])} |")
        definitions = "build definitions (registry, schemas, SQL facts)"
        table.append(
            f"| code location load: {definitions}, first load (parses every SQL file) | "
            f"{first_load[definitions]:.2f} |"
        )
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
        sql_inside = _median(full, "SQL models") + _median(full, "SQL tests (checks)")
        sql_direct = full["direct SQL models"] + full["direct SQL tests"]
        data_work = _median(full, "load+validate") + sql_direct + _median(full, "metrics")
        sqlite, ephemeral, bare = (statistics.median(whole[k]) for k in (SQLITE, EPHEMERAL, IMPORT))
        table += [
            "| **goals, each a ratio of figures above** | |",
            _goal(
                "`make run`'s refresh ÷ bare import of its libraries",
                sqlite / bare,
                IMPORT_RATIO_GOAL,
            ),
            _goal("the same ÷ with an ephemeral instance", sqlite / ephemeral, HISTORY_RATIO_GOAL),
            *(
                [
                    f"| PostgreSQL run history ÷ SQLite run history, same refresh | "
                    f"{statistics.median(whole[POSTGRES]) / sqlite:.2f} |",
                    f"| PostgreSQL run history ÷ ephemeral instance | "
                    f"{statistics.median(whole[POSTGRES]) / ephemeral:.2f} |",
                ]
                if POSTGRES in whole
                else []
            ),
            _goal(
                "in-process refresh ÷ the data's own work (load+validate, direct SQL, metrics: "
                f"{data_work:.2f} s)",
                _median(full) / data_work,
                DATA_WORK_RATIO_GOAL,
            ),
            _goal(
                "SQL layer in the refresh ÷ the same SQL directly",
                sql_inside / sql_direct,
                SQL_RATIO_GOAL,
            ),
            _goal(
                "full refresh ÷ no-op floor, warm against warm",
                _median(full) / _median(floor),
                FLOOR_RATIO_GOAL,
            ),
        ]
        table += dbt_peer.rows(runs, sql_inside, real)
        print("\n".join(table), flush=True)
        print("\n".join(_extraction_rows(runs, real, _median(full), root, args.quick)), flush=True)

        _print_scale(sizes, runs, root)
        scaled = root / "synthetic_1000" / "cloud.duckdb" if 1000 in sizes else None
        print("\n".join(site.rows(Path(real["WAREHOUSE_PATH"]), scaled, runs)), flush=True)
    footer = f"\n{_load()} at the end; the benchmark took {time.monotonic() - started:.0f} s"
    print(footer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
