"""The code location loads and has exactly the assets, checks and settings we expect."""

import dagster as dg

from pipelines.assets.raw import SCHEMA_CHECK
from pipelines.definitions import defs
from warehouse.registry import Registry

RAW_TABLES = {
    "it_spend", "public_cloud_market", "market_share", "carrier_cloud", "intelligent_compute",
    "datacenter_projects", "datacenter_project_figures", "gpu_model", "hyperscaler_financials",
    "server_depreciation", "gpt_models", "saas_market", "hpc_market", "ai_cloud", "low_code",
    "compute_centers", "cloud_adoption", "reports", "units", "data_sources", "gpu_scenarios",
    "accelerators",
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
