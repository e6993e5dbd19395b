"""deploy/: what can be checked without Docker or a cluster. The compose file, the Helm values
and the workspace parse and name what exists (the Dockerfile's inputs, the code location's
module and name, the variables pipelines/dagster.yaml reads, its queue limit and driver); and
the code location served by `dagster code-server start`, as the `code` service runs it,
gives a webserver started on deploy/workspace.yaml every asset."""

import importlib
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster_dev import dagster_home, dagster_process, graphql, wait_until_served

from benchmarks.postgres_server import free_port
from pipelines.definitions import defs
from warehouse import settings

DEPLOY = settings.PROJECT_ROOT / "deploy"
CRW_SERVICES = {"code", "webserver", "daemon"}
LOAD_SECONDS = 240


def _load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))


def _dagster_yaml() -> dict:
    return yaml.safe_load((settings.PROJECT_ROOT / "pipelines" / "dagster.yaml").read_text())


def _location() -> tuple[str, str]:
    """The code location's module and name, as pyproject.toml declares them for `dagster dev`."""
    pyproject = tomllib.loads((settings.PROJECT_ROOT / "pyproject.toml").read_text())
    tool = pyproject["tool"]["dagster"]
    return tool["module_name"], tool["code_location_name"]


def _option(args: list[str], *names: str) -> str:
    return args[next(i for i, arg in enumerate(args) if arg in names) + 1]


def _compose() -> dict:
    return _load("docker-compose.yml")


def test_compose_runs_postgres_and_the_three_dagster_services_from_one_image():
    services = _compose()["services"]
    assert set(services) == {"postgres", *CRW_SERVICES}
    images = {services[name]["image"] for name in CRW_SERVICES}
    assert len(images) == 1
    build = services["code"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"


def test_the_dockerfile_copies_what_the_repository_has():
    copied = re.findall(r"^COPY (.+) \S+$", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE)
    paths = [path for line in copied for path in line.split()]
    assert "pipelines" in paths and "requirements.lock" in paths
    for path in paths:
        assert (settings.PROJECT_ROOT / path).exists(), path


def test_the_code_service_serves_the_code_location_the_workspace_names():
    module, name = _location()
    command = _compose()["services"]["code"]["command"]
    assert command[:3] == ["dagster", "code-server", "start"]
    assert _option(command, "-m", "--module-name") == module
    assert isinstance(importlib.import_module(module).defs(), dg.Definitions)
    [entry] = _load("workspace.yaml")["load_from"]
    server = entry["grpc_server"]
    assert (server["host"], server["port"]) == ("code", int(_option(command, "-p", "--port")))
    assert server["location_name"] == _option(command, "--location-name") == name


def test_every_dagster_service_gets_exactly_the_postgres_settings_dagster_yaml_reads():
    block = _dagster_yaml()["storage"]["custom"]["config"]["postgres_host"]["postgres_db"]
    read = {value["env"] for value in block.values() if isinstance(value, dict)}
    assert "DAGSTER_PG_PASSWORD" in read
    services = _compose()["services"]
    for name in CRW_SERVICES:
        environment = services[name]["environment"]
        assert set(environment) == read, name
        # the password comes from the environment of `docker compose`, never from the file
        assert environment["DAGSTER_PG_PASSWORD"].startswith("${DAGSTER_PG_PASSWORD:?")
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${")


def test_helm_values_serve_the_same_code_location_with_the_same_queue_and_driver():
    module, name = _location()
    values = _load("helm/values.yaml")
    [deployment] = values["dagster-user-deployments"]["deployments"]
    args = deployment["codeServerArgs"]
    assert (_option(args, "-m"), _option(args, "--location-name")) == (module, name)
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    queue = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    runs = _dagster_yaml()["concurrency"]["runs"]
    assert queue["maxConcurrentRuns"] == runs["max_concurrent_runs"]
    assert queue["tagConcurrencyLimits"] == runs["tag_concurrency_limits"]
    pools = _dagster_yaml()["concurrency"]["pools"]
    assert values["concurrency"]["pools"]["defaultLimit"] == pools["default_limit"]
    block = _dagster_yaml()["storage"]["custom"]["config"]["postgres_host"]["postgres_db"]
    assert values["postgresql"]["postgresqlScheme"] == block["scheme"]
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert launcher["volumeMounts"][0]["mountPath"] == os.path.dirname(
        deployment["env"][0]["value"]
    )


@pytest.fixture(scope="module")
def webserver_on_a_code_server(tmp_path_factory) -> str:
    """`dagster code-server start` as the compose file runs it, and a webserver loading it
    through deploy/workspace.yaml (its host pointed at this machine): the webserver's URL."""
    root = tmp_path_factory.mktemp("code_server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAGSTER_PG")}
    env["DAGSTER_HOME"] = str(dagster_home(root / "dagster_home"))
    env["WAREHOUSE_PATH"] = str(root / "warehouse" / "cloud.duckdb")
    code_port, web_port = free_port(), free_port()
    command = _compose()["services"]["code"]["command"]
    command[command.index("-p") + 1] = str(code_port)
    command[command.index("-h") + 1] = "127.0.0.1"
    workspace = _load("workspace.yaml")
    workspace["load_from"][0]["grpc_server"].update(host="127.0.0.1", port=code_port)
    (root / "workspace.yaml").write_text(yaml.safe_dump(workspace))
    webserver = ["dagster-webserver", "-h", "127.0.0.1", "-p", str(web_port)]
    webserver += ["-w", str(root / "workspace.yaml")]
    with dagster_process(command, env, root / "code_server.log") as code_alive:
        health = [str(Path(sys.executable).with_name("dagster")), "api", "grpc-health-check"]
        health += ["-h", "127.0.0.1", "-p", str(code_port)]
        deadline = time.monotonic() + LOAD_SECONDS
        while subprocess.run(health, capture_output=True, check=False).returncode:
            code_alive()
            assert time.monotonic() < deadline, f"code server not healthy in {LOAD_SECONDS} s"
            time.sleep(1)
        with dagster_process(webserver, env, root / "webserver.log") as web_alive:
            base = f"http://127.0.0.1:{web_port}"
            wait_until_served(base, web_alive)
            yield base


def _served_asset_keys(base: str) -> set[dg.AssetKey]:
    data = graphql(base, "{ assetNodes { assetKey { path } } }")
    return {dg.AssetKey(node["assetKey"]["path"]) for node in data["assetNodes"]}


def test_a_webserver_on_the_workspace_loads_every_asset_from_the_code_server(
    webserver_on_a_code_server,
):
    expected = set(defs().resolve_all_asset_keys())
    deadline = time.monotonic() + LOAD_SECONDS
    while not (served := _served_asset_keys(webserver_on_a_code_server)):
        assert time.monotonic() < deadline, f"no asset served after {LOAD_SECONDS} s"
        time.sleep(2)
    assert served == expected
