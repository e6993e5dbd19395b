"""`crw refresh` (and `make run`): every asset of the code location, in this process.

The run goes to the project's Dagster instance when DAGSTER_HOME is set (the Makefile sets
it, so the run shows in the UI's history next to scheduled ones), else to a temporary one.
Progress comes from the run's own events as they are stored: one line when an asset starts,
one when it finishes (rows, checks), then a summary. The exit code is non-zero if any asset or
blocking check failed; the warehouse is then left as the last complete refresh published it.
"""

import logging
import os
import sys
import time
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.utils import make_new_run_id

from pipelines.assets.layer import FAILED_ASSETS, SKIPPED_ASSETS
from pipelines.assets.publish import PUBLISH_KEY, VERSION
from pipelines.automation import REFRESH_JOB
from pipelines.metadata import FINDINGS_QUERY, PATH
from warehouse import settings
from warehouse.publication import Layout

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
    finding_queries: dict[tuple[str, str], str] = field(default_factory=dict)  # asset, check
    files: dict[str, str] = field(default_factory=dict)  # asset -> the path it published
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    reported: dict[str, list[str]] = field(default_factory=dict)  # step -> assets, in order
    published_version: str | None = None  # as the publish step reported it

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
            # What the run's code tells a person (waiting for the lock, a corrupt file).
            if entry.level >= logging.WARNING:
                self.say(f"warning   {entry.user_message}")
            return
        data = event.event_specific_data
        kind = event.event_type
        if kind == dg.DagsterEventType.STEP_START:
            self.say(f"started   {self.label(event.step_key)}")
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = data.materialization
            if materialization.asset_key == PUBLISH_KEY:
                version = materialization.metadata.get(VERSION)
                self.published_version = getattr(version, "value", None)
                self._report(event.step_key, PUBLISH_KEY.to_user_string())
                return
            asset = materialization.asset_key.to_user_string()
            count = materialization.metadata.get(ROW_COUNT)
            self.rows[asset] = getattr(count, "value", None)
            if PATH in materialization.metadata:
                self.files[asset] = str(materialization.metadata[PATH].value)
            self._report(event.step_key, asset)
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            asset = data.asset_key.to_user_string()
            self.checks.setdefault(asset, []).append((data.check_name, _outcome_of(data)))
            if FINDINGS_QUERY in data.metadata:
                query = str(data.metadata[FINDINGS_QUERY].value)
                self.finding_queries[(asset, data.check_name)] = query
            self._report(event.step_key, asset)
        elif kind == dg.DagsterEventType.STEP_SUCCESS:
            for asset in self.reported.get(event.step_key, []):
                self.say(f"finished  {self._outcome(asset)}")
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            failure = data.user_failure_data
            reason = failure.description if failure and failure.description else cause(data.error)
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
                f"run failed: {event.message}" + (f"\n{_indent(cause(error))}" if error else "")
            )
        elif kind == dg.DagsterEventType.ENGINE_EVENT and getattr(data, "error", None):
            # e.g. "Teardown of resources failed": the run may still count as a success.
            self.say(f"error     {event.message}\n{_indent(cause(data.error))}")

    def _outcome(self, asset: str) -> str:
        text = asset
        if asset in self.rows:
            text += f": {_rows(self.rows[asset])}"
        checks = self.checks.get(asset, [])
        if checks:
            text += "; checks " + ", ".join(f"{name} {outcome}" for name, outcome in checks)
        return text

    def summary(self, publication: str, published: bool = True) -> str:
        """What an analyst reads first: the marts with their rows, the checks (a failed one
        and every finding by name, with the query that lists the findings), the files the
        run published; the layers below the marts only as counts."""
        marts = {a: n for a, n in self.rows.items() if a.startswith(f"{MARTS}/")}
        lines = ["", f"Marts built: {len(marts)}" if marts else "No mart built."]
        width = max((len(a) for a in marts), default=0)
        lines += [f"  {asset:<{width}}  {_rows(n):>14}" for asset, n in sorted(marts.items())]
        below = _layer_counts({a: n for a, n in self.rows.items() if a not in marts})
        if below:
            lines.append(f"Also built: {below}")
        lines += self._check_lines()
        if published and self.files:
            width = max(len(a) for a in self.files)
            lines.append("Files:")
            lines += [f"  {asset:<{width}}  {path}" for asset, path in sorted(self.files.items())]
        if self.failed:
            lines.append(f"Failed: {', '.join(self.failed)}")
        if self.skipped:
            lines.append(f"Skipped: {', '.join(self.skipped)}")
        lines.append(f"Wall time: {time.monotonic() - self.started:.1f} s")
        lines.append(publication)
        return "\n".join(lines)

    def _check_lines(self) -> list[str]:
        outcomes = [
            (asset, name, outcome)
            for asset, results in sorted(self.checks.items())
            for name, outcome in results
        ]
        count = [o for _, _, o in outcomes].count
        lines = [
            f"Checks: {count(PASSED)} passed, {count(FAILED)} failed, {count(WARNING)} "
            "warnings (findings about the report, not failures)"
        ]
        lines += [f"  FAILED   {name} on {asset}" for asset, name, o in outcomes if o == FAILED]
        for asset, name, outcome in outcomes:
            if outcome == WARNING:
                lines.append(f"  finding  {name} on {asset}")
                query = self.finding_queries.get((asset, name))
                if query:
                    lines.append(f'           crw query "{query}"')
        return lines


def _layer_counts(rows: dict[str, int | None]) -> str:
    """`raw 30 tables (812 rows), staging 31 tables (950 rows), reports 2 assets`."""
    layers: dict[str, list[int | None]] = {}
    for asset, count in sorted(rows.items()):
        layers.setdefault(asset.split("/")[0], []).append(count)
    parts = []
    for layer, counts in layers.items():
        known = [n for n in counts if n is not None]
        parts.append(
            f"{layer} {len(counts)} tables ({sum(known):,} rows)"
            if known
            else f"{layer} {len(counts)} asset{'' if len(counts) == 1 else 's'}"
        )
    return ", ".join(parts)


PASSED, FAILED, WARNING = "passed", "FAILED", "warning"
MARTS = "marts"


def cause(error) -> str:
    """What went wrong in words a person can act on: the error under Dagster's wrapping
    ("Error occurred while executing op …") with its type, and the innermost error it was
    raised from, if any (an OSError under a PublishError)."""
    while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
        error = error.cause
    innermost = error
    while innermost.cause is not None:
        innermost = innermost.cause
    text = _error_line(error)
    if innermost is not error:
        text += f"\n(caused by {_error_line(innermost)})"
    return text


def _error_line(error) -> str:
    """`Type: message` (Dagster's error info already starts with the qualified type)."""
    message = error.message.strip()
    qualified, _, rest = message.partition(": ")
    if error.cls_name and qualified.rsplit(".", 1)[-1] == error.cls_name:
        return f"{error.cls_name}: {rest}"
    return message


def publication(published, success: bool, version: str | None) -> tuple[bool, str]:
    """Whether the refresh counts as done, and the line that says so. "Published" only if the
    publish step reported a version and the warehouse path now resolves to it (the file's
    identity, not the run's word)."""
    layout = Layout(published)
    current = layout.current_version()
    if success and version is not None and current is not None and current.name == version:
        return True, f"Published {published} (version {version})"
    if success and version is None:
        return True, f"Nothing changed: {published} is as it was."
    before = (
        f"{published} still holds the last complete refresh"
        if layout.published_file() is not None
        else f"nothing is published at {published} yet"
    )
    return False, f"Nothing published: {before}."


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
    try:
        from pipelines.definitions import defs

        definitions = defs()
    except Exception as error:  # a malformed tables.yaml or model: say what, not a traceback
        print(f"crw refresh: cannot load the pipeline: {type(error).__name__}: {error}")
        return 1
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
    done, line = publication(settings.warehouse_path(), result.success, progress.published_version)
    print(progress.summary(line, published=done))
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(refresh())
