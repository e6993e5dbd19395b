"""Dagster's servers for tests: `dagster dev` (webserver + daemon, as `make dev` runs it) or
any other Dagster command, each in a process group of its own, on free loopback ports, with a
temporary DAGSTER_HOME laid out as the Makefile lays it out."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.postgres_server import free_port
from warehouse import settings

SERVER_START_SECONDS = 240
STOP_SECONDS = 20


def get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]


def dagster_home(folder: Path) -> Path:
    """A DAGSTER_HOME holding the project's dagster.yaml."""
    folder.mkdir(parents=True)
    shutil.copy(settings.PROJECT_ROOT / "pipelines" / "dagster.yaml", folder / "dagster.yaml")
    return folder


def _stop(process: subprocess.Popen) -> None:
    """A server and everything it started (webserver, daemon, code server, run workers): its
    own process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: it stops its children itself
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group
    process.wait(timeout=10)


@contextlib.contextmanager
def dagster_process(command: list[str], env: dict[str, str], log: Path) -> Iterator[Callable]:
    """A Dagster command of the venv in a process group of its own, until the block exits;
    yields a check that raises if the process has exited."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name(command[0])), *command[1:]],
            cwd=settings.PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def alive() -> None:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited; see {log}")

        try:
            yield alive
        finally:
            _stop(process)


def wait_until_served(base: str, alive: Callable[[], None]) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while get(f"{base}/server_info") is None:
        alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing served {base} after {SERVER_START_SECONDS} s")
        time.sleep(1)


@contextlib.contextmanager
def dagster_dev(root: Path, env: dict[str, str | None]) -> Iterator[str]:
    """`dagster dev` with DAGSTER_HOME under `root` and `env` over the environment (None:
    unset), until the block exits: its base URL once it serves."""
    home = dagster_home(root / "dagster_home")
    merged = {**os.environ, "DAGSTER_HOME": str(home), **env}
    port = free_port()
    command = ["dagster", "dev", "-h", "127.0.0.1", "-p", str(port)]
    environment = {name: value for name, value in merged.items() if value is not None}
    with dagster_process(command, environment, root / "dagster_dev.log") as alive:
        base = f"http://127.0.0.1:{port}"
        wait_until_served(base, alive)
        yield base
