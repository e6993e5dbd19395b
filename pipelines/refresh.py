"""`crw refresh` (and `make run`): every asset of the code location, in this process.

The run goes to the project's Dagster instance when DAGSTER_HOME is set (the Makefile sets
it, so the run shows in the UI's history next to scheduled ones), else to a temporary one.
Progress comes from the run's own events as they are stored: one line when an asset starts,
one when it finishes (rows, checks), then a summary. The exit code is non-zero if any asset or
blocking check failed; the warehouse is then left as the last complete refresh published it.
"""

import os
import sys
import time
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.utils import make_new_run_id

from pipelines.assets.layer import FAILED_ASSETS, SKIPPED_ASSETS
from pipelines.automation import REFRESH_JOB
from pipelines.definitions import defs
from warehouse import settings

# Dagster's own console log would bury the progress lines; the UI keeps the full log.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
ROW_COUNT = "dagster/row_count"


@dataclass
class Progress:
    """Prints a line per step event and keeps what the summary needs."""

    step_assets: dict[str, list[str]]
    started: float = field(default_factory=time.monotonic)
    rows: dict[str, int | None] = field(default_factory=dict)
    checks: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # name, outcome
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    reported: dict[str, list[str]] = field(default_factory=dict)  # step -> assets, in order

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {text}", flush=True)

    def label(self, step_key: str) -> str:
        assets = self.step_assets.get(step_key.split(".")[0], [step_key])
        return assets[0] if len(assets) == 1 else step_key  # a layer's step: its name

    def _report(self, step_key: str, asset: str) -> None:
        assets = self.reported.setdefault(step_key, [])
        if asset not in assets:
            assets.append(asset)

    def __call__(self, entry) -> None:
        event = entry.dagster_event
        if event is None:
            return
        data = event.event_specific_data
        kind = event.event_type
        if kind == dg.DagsterEventType.STEP_START:
            self.say(f"started   {self.label(event.step_key)}")
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = data.materialization
            count = materialization.metadata.get(ROW_COUNT)
            self.rows[materialization.asset_key.to_user_string()] = getattr(count, "value", None)
            self._report(event.step_key, materialization.asset_key.to_user_string())
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            self.checks.setdefault(data.asset_key.to_user_string(), []).append(
                (data.check_name, _outcome_of(data))
            )
            self._report(event.step_key, data.asset_key.to_user_string())
        elif kind == dg.DagsterEventType.STEP_SUCCESS:
            for asset in self.reported.get(event.step_key, []):
                self.say(f"finished  {self._outcome(asset)}")
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            failure = data.user_failure_data
            reason = failure.description if failure and failure.description else data.error.message
            per_asset = failure.metadata if failure else {}
            if FAILED_ASSETS not in per_asset:  # a failure not of one asset: the whole step
                self.failed.append(self.label(event.step_key))
                self.say(f"FAILED    {self.label(event.step_key)}\n{_indent(reason)}")
                return
            failed, skipped = per_asset[FAILED_ASSETS].value, per_asset[SKIPPED_ASSETS].value
            for asset in self.reported.get(event.step_key, []):
                if asset not in failed:
                    self.say(f"finished  {self._outcome(asset)}")
            for asset, why in failed.items():
                self.failed.append(asset)
                self.say(f"FAILED    {self._outcome(asset)}\n{_indent(why)}")
            for asset, why in skipped.items():
                self.skipped.append(asset)
                self.say(f"skipped   {asset} ({why})")
        elif kind == dg.DagsterEventType.STEP_SKIPPED:
            self.skipped.append(self.label(event.step_key))
            self.say(f"skipped   {self.label(event.step_key)} (an upstream step failed)")
        elif kind in (dg.DagsterEventType.RUN_FAILURE, dg.DagsterEventType.RESOURCE_INIT_FAILURE):
            # A failed step was reported above; otherwise (resources, the run itself) say why.
            error = None if self.failed else getattr(data, "error", None)
            self.say(
                f"run failed: {event.message}" + (f"\n{_indent(error.message)}" if error else "")
            )

    def _outcome(self, asset: str) -> str:
        text = asset
        if asset in self.rows:
            text += f": {_rows(self.rows[asset])}"
        checks = self.checks.get(asset, [])
        if checks:
            text += "; checks " + ", ".join(f"{name} {outcome}" for name, outcome in checks)
        return text

    def summary(self, success: bool) -> str:
        checks = [outcome for results in self.checks.values() for _, outcome in results]
        lines = ["", "Tables built:" if self.rows else "No table built."]
        width = max((len(a) for a in self.rows), default=0)
        lines += [f"  {asset:<{width}}  {_rows(n):>14}" for asset, n in sorted(self.rows.items())]
        lines.append(
            f"Checks: {checks.count(PASSED)} passed, {checks.count(FAILED)} failed, "
            f"{checks.count(WARNING)} warnings (findings, not failures)"
        )
        if self.failed:
            lines.append(f"Failed: {', '.join(self.failed)}")
        if self.skipped:
            lines.append(f"Skipped: {', '.join(self.skipped)}")
        lines.append(f"Wall time: {time.monotonic() - self.started:.1f} s")
        warehouse = settings.warehouse_path()
        lines.append(
            f"Published {warehouse}"
            if success
            else f"Nothing published: {warehouse} still holds the last complete refresh."
        )
        return "\n".join(lines)


PASSED, FAILED, WARNING = "passed", "FAILED", "warning"


def _outcome_of(evaluation) -> str:
    """A failed check of severity WARN (the audit's findings) is a warning, not a failure."""
    if evaluation.passed:
        return PASSED
    return WARNING if evaluation.severity == dg.AssetCheckSeverity.WARN else FAILED


def _rows(count: int | None) -> str:
    return "rows not reported" if count is None else f"{count} row{'' if count == 1 else 's'}"


def _indent(text: str) -> str:
    return "\n".join(f"            {line}" for line in text.strip().splitlines())


def _instance() -> dg.DagsterInstance:
    return (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )


def refresh() -> int:
    definitions = defs()
    job = definitions.resolve_job_def(REFRESH_JOB)
    step_assets = {
        assets_def.node_def.name: [k.to_user_string() for k in assets_def.keys]
        or [k.to_user_string() for k in assets_def.check_keys]
        for assets_def in definitions.resolve_asset_graph().assets_defs
        if assets_def.is_executable
    }
    progress = Progress(step_assets)
    progress.say(
        f"refreshing {sum(map(len, step_assets.values()))} assets into {settings.warehouse_path()}"
    )
    run_id = make_new_run_id()
    with _instance() as instance:
        instance.add_event_listener(run_id, progress)
        result = job.execute_in_process(
            run_config=QUIET,
            instance=instance,
            run_id=run_id,
            raise_on_error=False,
            tags={"crw/trigger": "cli"},
        )
    print(progress.summary(result.success))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(refresh())
