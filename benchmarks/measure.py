"""One measurement, run in a fresh process by `python -m benchmarks` so imports, caches and
peak memory belong to it alone: `python -m benchmarks.measure KIND RUNS` prints one JSON line.

Kinds:
- `imports`: what loading the code location costs (what `dagster dev` and every run pay); the
  SQL files' parse comes from the cache beside `WAREHOUSE_PATH` if an earlier load left it;
- `refresh`: the full refresh of every asset in-process, split by phase, with each step's
  peak RSS in the last run (sampled every 0.05 s), then the same SQL models and tests re-run
  directly in one DuckDB connection (the engine's own time);
- `noop`: the same asset graph (keys, dependencies, checks) with bodies that do nothing, run
  the same way: Dagster's own overhead, the floor of `refresh`;
- `history`: a run of HISTORY_ASSETS empty assets stored in SQLite run history by Dagster's
  own storage and by the project's (`pipelines/sqlite_history.py`), alternating, each in a
  fresh DAGSTER_HOME after a first run there: what the event writes alone cost.

`refresh`, `noop` and the direct SQL each run once untimed first (a warm-up: Dagster and
DuckDB load parts of themselves on first use), so every figure compares warm with warm;
`refresh RUNS --cold` skips it (the scale rows, where one run is the whole cost).

`SOURCES_PATH` and `WAREHOUSE_PATH` (set by the caller) say what to refresh and where.
"""

import contextlib
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def imports() -> dict:
    timings = {}
    start = time.perf_counter()
    for label, module in [
        ("dagster", "dagster"),
        ("pandas", "pandas"),
        ("pandera", "pandera.pandas"),
        ("code location modules", "pipelines.definitions"),
    ]:
        began = time.perf_counter()
        __import__(module)
        timings[f"import {label}"] = time.perf_counter() - began
    from pipelines.definitions import defs

    began = time.perf_counter()
    definitions = defs()
    timings["build definitions (registry, schemas, SQL facts)"] = time.perf_counter() - began
    began = time.perf_counter()
    definitions.resolve_job_def("refresh_all")
    timings["resolve the refresh job"] = time.perf_counter() - began
    timings["total"] = time.perf_counter() - start
    return timings


class PhaseClock:
    """Wall time spent inside chosen functions of the pipeline modules, by phase."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, module, name: str, phase: str) -> None:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - began

        setattr(module, name, timed)


class RssSampler:
    """The process's resident memory every `interval` seconds while it runs (a thread), to
    tell which step a peak belongs to: `ru_maxrss` gives the peak only."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.samples: list[tuple[float, float]] = []  # (epoch seconds, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
        with open("/proc/self/statm") as statm:
            while not self._stop.is_set():
                statm.seek(0)
                self.samples.append((time.time(), int(statm.read().split()[1]) * page_mb))
                self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, start: float, end: float) -> float:
        return max((mb for at, mb in self.samples if start <= at <= end), default=0.0)


def _step_spans(instance, run_id: str) -> dict[str, tuple[float, float]]:
    """Each step's start and end (epoch seconds), from the run's own events."""
    import dagster as dg

    started, spans = {}, {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = entry.timestamp
        elif event.event_type in (
            dg.DagsterEventType.STEP_SUCCESS,
            dg.DagsterEventType.STEP_FAILURE,
        ):
            spans[event.step_key] = (started[event.step_key], entry.timestamp)
    return spans


def _step_layers(job, graph) -> dict[str, str]:
    """Step key -> the layer (multi-asset) whose assets it builds. Not the asset group: the
    SQL layer runs as two steps (`sql_models`, then `sql_models_2` for the models that read
    the metrics), and the second builds only `marts`, the metrics' group."""
    import dagster as dg
    from dagster._core.definitions.dependency import NodeHandle

    steps = {}
    for node in job.graph.nodes:
        keys = job.asset_layer.get_selected_entity_keys_for_node(NodeHandle(node.name, None))
        layers = {graph.get(k).assets_def.node_def.name for k in keys if isinstance(k, dg.AssetKey)}
        steps[node.name] = "+".join(sorted(layers))
    return steps


def _figures(path: Path) -> int:
    import duckdb

    with contextlib.closing(duckdb.connect(str(path), read_only=True)) as con:
        return con.sql("SELECT count(*) FROM marts.fct_report_figures").fetchall()[0][0]


def _direct_sql(published: Path, runs: int) -> dict:
    """Every SQL model and test re-run in one DuckDB connection on a copy of the warehouse
    the refresh built (so the Python-built tables they read are there): the median of `runs`
    after a warm-up."""
    import duckdb

    from pipelines.definitions import defs
    from warehouse.figure_models import generated_models
    from warehouse.models import ModelProject, run_test
    from warehouse.registry import Registry

    graph = defs().resolve_asset_graph()
    produced = {".".join(k.path) for k in graph.get_all_asset_keys()}
    project = ModelProject.load(produced, generated=generated_models(Registry.load()))
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "direct.duckdb"
        shutil.copyfile(published, copy)
        models, tests = [], []
        with contextlib.closing(duckdb.connect(str(copy))) as con:
            for _ in range(runs + 1):
                began = time.perf_counter()
                for model in project.models.values():
                    if model.is_macro:
                        con.execute(model.sql)
                    else:
                        con.execute(f"CREATE OR REPLACE TABLE {model.relation} AS {model.sql}")
                models.append(time.perf_counter() - began)
                began = time.perf_counter()
                for model in project.models.values():
                    for test in model.tests:
                        run_test(con, test)
                tests.append(time.perf_counter() - began)
    return {
        "direct SQL models": statistics.median(models[1:]),
        "direct SQL tests": statistics.median(tests[1:]),
    }


def refresh(runs: int, warm_up: bool = True) -> dict:
    import dagster as dg

    import pipelines.assets.models as model_assets
    import pipelines.assets.raw as raw_assets
    from pipelines.definitions import defs
    from warehouse import settings

    clock = PhaseClock()
    clock.wrap(raw_assets, "load_table", "load+validate")
    clock.wrap(model_assets, "run_test", "SQL tests")
    definitions = defs()
    job = definitions.resolve_job_def("refresh_all")
    layers = _step_layers(job, definitions.resolve_asset_graph())
    results = []
    step_peaks: dict[str, float] = {}
    for _ in range(runs + warm_up):
        clock.seconds.clear()
        instance = dg.DagsterInstance.ephemeral()
        began = time.perf_counter()
        with RssSampler() as rss:
            outcome = job.execute_in_process(
                instance=instance, run_config=QUIET, raise_on_error=False
            )
        wall = time.perf_counter() - began
        if not outcome.success:
            failures = [e.message for e in outcome.all_events if e.is_failure]
            raise SystemExit(f"refresh failed: {failures}")
        by_layer: dict[str, float] = defaultdict(float)
        step_peaks = {}  # of the last run: the step a peak belongs to
        for step, (start, end) in _step_spans(instance, outcome.run_id).items():
            by_layer[layers[step]] += end - start
            step_peaks[step] = rss.peak(start, end)
        named = {"raw_tables", "sql_models", "metrics", "reports"}
        results.append(
            {
                "refresh": wall,
                "load+validate": clock.seconds["load+validate"],
                "raw writes + metadata": by_layer["raw_tables"] - clock.seconds["load+validate"],
                "SQL models": by_layer["sql_models"] - clock.seconds["SQL tests"],
                "SQL tests (checks)": clock.seconds["SQL tests"],
                "metrics": by_layer["metrics"],
                "reports (charts, page)": by_layer["reports"],
                "other steps": sum(v for g, v in by_layer.items() if g not in named),
                "outside steps (run start/end, resource set-up, teardown)": wall
                - sum(by_layer.values()),
            }
        )
    return {
        "runs": results[warm_up:],
        "figures": _figures(settings.warehouse_path()),
        "peak_rss_mb": _peak_rss_mb(),
        "step_peak_rss_mb": step_peaks,
        **_direct_sql(settings.warehouse_path(), runs),
    }


def _noop_definitions():
    """The code location's asset graph with bodies that only report success."""
    import dagster as dg

    from pipelines.definitions import defs

    def noop(assets_def):
        specs, checks = list(assets_def.specs), list(assets_def.check_specs)

        @dg.multi_asset(
            name=assets_def.node_def.name, specs=specs, check_specs=checks, can_subset=True
        )
        def body(context: dg.AssetExecutionContext):
            for spec in specs:
                if spec.key in context.selected_asset_keys:
                    yield dg.MaterializeResult(asset_key=spec.key)
            for check in checks:
                if check.key in context.selected_asset_check_keys:
                    yield dg.AssetCheckResult(
                        asset_key=check.asset_key, check_name=check.name, passed=True
                    )

        return body

    graph = defs().resolve_asset_graph()
    return dg.Definitions(
        assets=[noop(a) for a in graph.assets_defs if a.is_executable],
        jobs=[dg.define_asset_job("refresh_all", selection=dg.AssetSelection.all())],
        executor=dg.in_process_executor,
    )


def noop(runs: int) -> dict:
    import dagster as dg

    job = _noop_definitions().resolve_job_def("refresh_all")
    results = []
    for _ in range(runs + 1):
        began = time.perf_counter()
        job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), run_config=QUIET)
        results.append({"refresh": time.perf_counter() - began})
    return {"runs": results[1:], "peak_rss_mb": _peak_rss_mb()}


HISTORY_ASSETS = 40
HISTORY_STORAGES = {  # dagster.yaml's `storage:` for each, given the DAGSTER_HOME
    "Dagster's SQLite storage": lambda home: {"sqlite": {"base_dir": home}},
    "the project's SQLite storage": lambda home: {
        "custom": {
            "module": "pipelines.sqlite_history",
            "class": "KeptOpenSqliteStorage",
            "config": {"base_dir": home},
        }
    },
}


def history(runs: int) -> dict:
    import dagster as dg
    import yaml

    assets = [dg.asset(name=f"empty_{i}")(lambda: None) for i in range(HISTORY_ASSETS)]
    results = []
    for round_ in range(runs + 1):
        seconds = {}
        for name, storage in HISTORY_STORAGES.items():
            with tempfile.TemporaryDirectory() as home:
                settings = {"storage": storage(home), "telemetry": {"enabled": False}}
                Path(home, "dagster.yaml").write_text(yaml.safe_dump(settings))
                with dg.DagsterInstance.from_config(home) as instance:
                    dg.materialize(assets[:1], instance=instance, run_config=QUIET)
                    began = time.perf_counter()
                    dg.materialize(assets, instance=instance, run_config=QUIET)
                    seconds[name] = time.perf_counter() - began
        if round_:
            results.append(seconds)
    return {"runs": results, "assets": HISTORY_ASSETS}


KINDS = {"imports": imports, "refresh": refresh, "noop": noop, "history": history}

if __name__ == "__main__":
    kind, runs = sys.argv[1], int(sys.argv[2])
    if kind == "imports":
        print(json.dumps(imports()))
    elif kind == "refresh" and sys.argv[3:] == ["--cold"]:  # the scale rows: no warm-up run
        print(json.dumps(refresh(runs, warm_up=False)))
    else:
        print(json.dumps(KINDS[kind](runs)))
