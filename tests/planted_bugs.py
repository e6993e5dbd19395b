"""Plant known bugs one at a time and check that the tests catch each (a dev tool, not a test).

    .venv/bin/python -m tests.planted_bugs [NAME ...]     (`make planted-bugs`: all of them)

For each bug: copy the repository (the files git tracks or would track, as they are in the
working tree) into a temporary folder, apply the bug as an exact text edit (the text it
replaces must occur exactly once, so a bug cannot silently stop applying when the code moves),
run the named tests in that copy, and report whether the bug was killed (some test failed) or
survived (every test passed), with the failing test ids. Exit status 1 if any bug survived or
a run could not tell (tests not collected, an edit that no longer applies).

The bugs are the eleven a review planted by hand (docs/testing.md has the table): keeping them
here makes "the tests would catch this" something anyone can re-run rather than a claim.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Bug:
    name: str
    description: str
    # (file, text, replacement): each text must occur exactly once in its file
    edits: tuple[tuple[str, str, str], ...]
    tests: tuple[str, ...]


PUBLICATION = "warehouse/publication.py"

BUGS = (
    Bug(
        "round-half-up",
        "`round_half_up` replaced by Python's `round()` (ties to even)",
        (
            (
                "warehouse/metrics/gpu_demand.py",
                "return math.floor(value + 0.5)",
                "return round(value)",
            ),
        ),
        ("tests/test_gpu_demand.py",),
    ),
    Bug(
        "gpus-from-exact-hours",
        "GPUs computed from the exact GPU-hours instead of the printed step before",
        (
            (
                "warehouse/metrics/gpu_demand.py",
                "gpus = round_half_up(hours / hours_per_gpu)",
                "gpus = round_half_up(hours_exact / hours_per_gpu)",
            ),
        ),
        ("tests/test_gpu_demand.py",),
    ),
    Bug(
        "size-bound-ge-0",
        "a size bound `gt: 0` relaxed to `ge: 0` (IT spend of 0 accepted)",
        (
            (
                "sources/tables.yaml",
                "spend: {units: [USD million], gt: 0}",
                "spend: {units: [USD million], ge: 0}",
            ),
        ),
        (
            "tests/test_bounds.py",
            "tests/test_bad_input.py::test_bad_values_name_file_line_column_value_rule",
        ),
    ),
    Bug(
        "publish-without-fsync",
        "publish skips every fsync (the build's files and folders, the folders of the renames)",
        (
            (PUBLICATION, "        _fsync_tree(build_dir)\n", ""),
            (PUBLICATION, "        fsync_directory(layout.versions)\n", ""),
            (PUBLICATION, "        fsync_directory(layout.root)\n", ""),
        ),
        ("tests/test_publish_steps.py",),
    ),
    Bug(
        "publish-copies-in-place",
        "publish copies the build over the published version's files instead of renaming it",
        (
            (
                PUBLICATION,
                "        os.rename(build_dir, version)\n",
                "        version = layout.current_version() or version\n"
                "        shutil.copytree(build_dir, version, dirs_exist_ok=True)\n",
            ),
        ),
        ("tests/test_publish_steps.py",),
    ),
    Bug(
        "query-guard-accepts-copy",
        "the query guard accepts `COPY`",
        (
            (
                "warehouse/query_guard.py",
                "QUERY_TYPES = frozenset({duckdb.StatementType.SELECT})",
                "QUERY_TYPES = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.COPY})",
            ),
        ),
        ("tests/test_query_guard.py",),
    ),
    Bug(
        "datacenter-projects-without-report-key",
        "`datacenter_projects` joins its figures on `project_id` only (no report key)",
        (
            (
                "dbt_like_sql/marts/datacenter_projects.sql",
                "LEFT JOIN figures AS f USING (report_id, project_id)",
                "LEFT JOIN figures AS f USING (project_id)",
            ),
        ),
        ("tests/test_two_reports.py",),
    ),
    Bug(
        "period-end-from-first-part",
        "`stg_figures` takes a period's end from its first part (2021/2026 ends in 2021)",
        (
            (
                "dbt_like_sql/staging/stg_figures.sql",
                "last_part.part = string_split(f.period, '/')[-1]",
                "last_part.part = split_part(f.period, '/', 1)",
            ),
        ),
        ("tests/test_marts.py",),
    ),
    Bug(
        "follow-upstream-past-failed-checks",
        "the follow-upstream condition without `all_deps_blocking_checks_passed`",
        (
            (
                "pipelines/automation.py",
                "dg.AutomationCondition.eager()"
                " & dg.AutomationCondition.all_deps_blocking_checks_passed()",
                "dg.AutomationCondition.eager()",
            ),
        ),
        ("tests/test_automation.py::test_downstream_does_not_follow_past_a_failed_blocking_check",),
    ),
    Bug(
        "about-slack-0",
        "the slack of 约 (about) set to 0 (global HPC growth becomes a mismatch)",
        (("warehouse/intervals.py", "ABOUT_SLACK = 0.01", "ABOUT_SLACK = 0.0"),),
        ("tests/test_intervals.py", "tests/test_audit.py"),
    ),
    Bug(
        "refresh-always-0",
        "`refresh()` always returns 0 (`crw refresh` exits 0 after a failed table)",
        (("pipelines/refresh.py", "    return 0 if done else 1\n", "    return 0\n"),),
        ("tests/test_publication.py::test_bad_source_fails_the_refresh_and_publishes_nothing",),
    ),
)


@dataclass(frozen=True)
class Outcome:
    bug: Bug
    verdict: str  # killed, survived, error
    failing: tuple[str, ...]
    seconds: float
    detail: str = ""


def copy_repository(target: Path) -> None:
    """The files git tracks or would track (not ignored), as they are in the working tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def plant(copy: Path, bug: Bug) -> None:
    for file, text, replacement in bug.edits:
        path = copy / file
        content = path.read_text(encoding="utf-8")
        count = content.count(text)
        if count != 1:
            raise ValueError(f"{bug.name}: {text!r} occurs {count} times in {file}, not once")
        path.write_text(content.replace(text, replacement), encoding="utf-8")


def environment(copy: Path) -> dict[str, str]:
    """The copy's code first on the path (the virtualenv's editable install points at the
    original), its own Dagster home, nothing pointing at the original's warehouse."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SOURCES_PATH", "MODELS_PATH", "WAREHOUSE_PATH", "PYTHONPATH"}
    }
    home = copy / ".dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copyfile(copy / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    return {**env, "PYTHONPATH": str(copy), "DAGSTER_HOME": str(home)}


def imports_the_copy(copy: Path, env: dict[str, str]) -> bool:
    shown = subprocess.run(
        [sys.executable, "-c", "import warehouse, pipelines; print(warehouse.__file__)"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return Path(shown).is_relative_to(copy)


# pytest's short summary: "FAILED tests/x.py::name[params] - message" (params may hold spaces)
FAILED = re.compile(r"^(?:FAILED|ERROR) (.+?::.+?)(?: - .*)?$", re.MULTILINE)


def run(bug: Bug, keep: bool) -> Outcome:
    started = time.monotonic()
    copy = Path(tempfile.mkdtemp(prefix=f"planted-{bug.name}-"))
    try:
        copy_repository(copy)
        plant(copy, bug)
        env = environment(copy)
        if not imports_the_copy(copy, env):
            return Outcome(bug, "error", (), time.monotonic() - started, "imports the original")
        tests = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE", *bug.tests],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
        )
        failing = tuple(dict.fromkeys(FAILED.findall(tests.stdout)))
        seconds = time.monotonic() - started
        # pytest: 0 all passed, 1 some failed; anything else (usage, no tests) says nothing
        if tests.returncode == 0:
            return Outcome(bug, "survived", (), seconds)
        if tests.returncode == 1 and failing:
            return Outcome(bug, "killed", failing, seconds)
        tail = "\n".join(tests.stdout.splitlines()[-15:] + tests.stderr.splitlines()[-15:])
        return Outcome(bug, "error", failing, seconds, f"pytest exit {tests.returncode}\n{tail}")
    except ValueError as error:
        return Outcome(bug, "error", (), time.monotonic() - started, str(error))
    finally:
        if keep:
            print(f"kept {copy}", file=sys.stderr)
        else:
            shutil.rmtree(copy, ignore_errors=True)


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| bug planted | command (in the copy) | result | failing tests |",
        "| --- | --- | --- | --- |",
    ]
    for o in outcomes:
        failing = "<br>".join(f"`{t}`" for t in o.failing) or "none"
        command = f"`pytest {' '.join(o.bug.tests)}`"
        lines.append(f"| {o.bug.name}: {o.bug.description} | {command} | {o.verdict} | {failing} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    names = [b.name for b in BUGS]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bugs", nargs="*", metavar="NAME", help=f"default: all of {names}")
    parser.add_argument("--keep", action="store_true", help="keep the copies (to inspect them)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.bugs) - set(names))
    if unknown:
        parser.error(f"unknown bug(s) {unknown}; known: {names}")
    outcomes = []
    for bug in BUGS:
        if args.bugs and bug.name not in args.bugs:
            continue
        outcome = run(bug, args.keep)
        print(f"{bug.name}: {outcome.verdict} ({outcome.seconds:.0f} s)", file=sys.stderr)
        if outcome.detail:
            print(outcome.detail, file=sys.stderr)
        outcomes.append(outcome)
    print(table(outcomes))
    return 0 if all(o.verdict == "killed" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
