"""The code location loads and has exactly the assets, checks and settings we expect."""

import subprocess
import sys

import dagster as dg

from pipelines.assets.extraction import MENTIONS_KEY
from pipelines.assets.publish import PUBLISH_KEY
from pipelines.assets.raw import SCHEMA_CHECK
from pipelines.definitions import defs
from warehouse import settings
from warehouse.registry import Registry

RAW_TABLES = {
    "it_spend",
    "public_cloud_market",
    "market_share",
    "carrier_cloud",
    "intelligent_compute",
    "datacenter_projects",
    "datacenter_project_figures",
    "gpu_model",
    "hyperscaler_financials",
    "server_depreciation",
    "gpt_models",
    "saas_market",
    "hpc_market",
    "ai_cloud",
    "low_code",
    "compute_centers",
    "cloud_adoption",
    "reports",
    "units",
    "data_sources",
    "gpu_scenarios",
    "accelerators",
    "report_documents",
    "fiscal_calendars",
    "report_events",
}


def test_registry_lists_every_source_file_and_nothing_else():
    registry = Registry.load()
    assert set(registry.tables) == RAW_TABLES
    assert registry.unregistered_files() == []
    for spec in registry.tables.values():
        assert registry.source_files(spec), spec.name


def test_one_raw_asset_per_table_with_a_blocking_schema_check():
    graph = defs().resolve_asset_graph()
    raw_keys = {k for k in graph.get_all_asset_keys() if k.path[0] == "raw"}
    assert raw_keys == {dg.AssetKey(["raw", t]) for t in RAW_TABLES}
    for key in raw_keys:
        node = graph.get(key)
        assert node.group_name == "raw"
        assert node.description
        assert {"duckdb", "pandas"} <= set(node.kinds)
        check = dg.AssetCheckKey(key, SCHEMA_CHECK)
        assert check in graph.asset_check_keys
        assert graph.get(check).blocking


def test_in_process_executor_for_every_run():
    assert defs().executor.name == "in_process"


METRICS = {"gpu_demand", "gpu_demand_sensitivity", "cagr", "report_consistency", "report_coverage"}
REPORT_ASSETS = {dg.AssetKey(["reports", name]) for name in ("charts", "report_html", "site")}


def test_every_asset_is_loaded_and_nothing_else():
    """Factory-built assets that silently fail to load would not show in the UI: the loaded
    set must be exactly one per source table, one per SQL file, the models generated for the
    figures tables (their rows, topics and one staging model each) and the metric assets."""
    figures_tables = [s.name for s in Registry.load().tables.values() if s.kind == "figures"]
    models = {
        dg.AssetKey([path.parent.name, path.stem])
        for path in settings.models_dir().glob("*/*.sql")
        if path.parent.name != "tests"
    } | {
        dg.AssetKey(["staging", name])
        for name in ["stg_figure_rows", *(f"stg_{t}" for t in figures_tables)]
    }
    expected = (
        {dg.AssetKey(["raw", t]) for t in RAW_TABLES}
        | models
        | {dg.AssetKey(["marts", m]) for m in METRICS}
    )
    graph = defs().resolve_asset_graph()
    assert set(graph.materializable_asset_keys) == (
        expected | REPORT_ASSETS | {PUBLISH_KEY, MENTIONS_KEY}
    )
    # the Python-built marts (gpu_demand, cagr, the audit) sit in group marts beside the SQL ones
    assert {graph.get(k).group_name for k in expected} == {"raw", "staging", "marts"}
    assert {graph.get(dg.AssetKey(["marts", m])).group_name for m in METRICS} == {"marts"}
    assert {graph.get(k).group_name for k in REPORT_ASSETS} == {"reports"}


def test_the_publish_step_runs_after_every_other_asset():
    """Every asset that writes the warehouse build; the per-report partitions write none
    (they store mentions beside it, and run in jobs of their own)."""
    graph = defs().resolve_asset_graph()
    others = set(graph.materializable_asset_keys) - {PUBLISH_KEY, MENTIONS_KEY}
    assert set(graph.get(PUBLISH_KEY).parent_keys) == others
    assert graph.get(PUBLISH_KEY).group_name == "publish"


def test_loading_the_code_location_does_not_import_matplotlib():
    """matplotlib costs ~2.5 s to import; only drawing a chart should pay for it."""
    code = "import sys, pipelines.definitions; print('matplotlib' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.PROJECT_ROOT,
    ).stdout.strip()
    assert loaded == "False"


def test_each_charted_mart_links_its_chart_in_its_definition(monkeypatch, tmp_path):
    """The asset's overview shows its chart's link before any materialization is opened:
    marts/it_spend links charts/it_spend.png beside the warehouse file, marts/gpu_demand its
    own; a mart without a chart has no entry."""
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "cloud.duckdb"))
    graph = defs().resolve_asset_graph()
    for name in ("it_spend", "gpu_demand", "intelligent_compute"):
        chart = graph.get(dg.AssetKey(["marts", name])).metadata["chart"].value
        assert f"[{name}.png]({(tmp_path / 'charts' / f'{name}.png').as_uri()})" in chart
    assert "chart" not in graph.get(dg.AssetKey(["marts", "dim_entities"])).metadata
