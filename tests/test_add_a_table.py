"""Adding a figures table takes two edits: its CSV and its `tables.yaml` entry. No SQL: its
rows reach `staging.stg_figures` and `marts.fct_report_figures`, and it gets its own
`staging.stg_<table>`, from models generated from the registry.

The refresh runs as `crw refresh` in its own process, with its own Dagster home, sources and
warehouse file: a Dagster instance made inside the test process would outlive the test and
break the instances of the tests after it.
"""

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml

from warehouse import settings

REPORT = "swsc_cloud_2023"
NEW, LIKE = "vendor_shares", "market_share"  # the new table restates market_share's figures


def _add_table(sources: Path) -> None:
    """Edit 1: the CSV (market_share's rows, quotes and all, so they pass the quote check).
    Edit 2: its tables.yaml entry (market_share's vocabulary, shown in its topic mart)."""
    shutil.copyfile(sources / REPORT / f"{LIKE}.csv", sources / REPORT / f"{NEW}.csv")
    registry = sources / "tables.yaml"
    declared = yaml.safe_load(registry.read_text(encoding="utf-8"))
    entry = {
        **copy.deepcopy(declared["tables"][LIKE]),
        "description": "Vendor shares.",
        "topic": LIKE,
    }
    declared["tables"][NEW] = entry
    registry.write_text(yaml.safe_dump(declared, allow_unicode=True), encoding="utf-8")


def test_a_table_added_by_its_csv_and_registry_entry_reaches_the_figures_mart(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(settings.PROJECT_ROOT / "sources", sources)
    _add_table(sources)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(settings.PROJECT_ROOT / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    warehouse = tmp_path / "warehouse" / "cloud.duckdb"
    env = {
        **os.environ,
        "SOURCES_PATH": str(sources),
        "WAREHOUSE_PATH": str(warehouse),
        "DAGSTER_HOME": str(home),
    }
    crw = Path(sys.executable).with_name("crw")
    refresh = subprocess.run(
        [str(crw), "refresh"], env=env, capture_output=True, text=True, timeout=280, check=False
    )
    assert refresh.returncode == 0, refresh.stdout[-3000:] + refresh.stderr[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:

        def rows(sql: str) -> list[tuple]:
            return con.execute(sql).fetchall()

        # market_share states 14 figures in this report: the new table the same 14
        [(like,)] = rows(
            f"SELECT count(*) FROM marts.fct_report_figures WHERE table_name = '{LIKE}'"
        )
        assert like == 14
        # the report's 33.5 % of Alibaba Cloud in China's public cloud IaaS market, 2022H1
        assert rows(
            "SELECT topic, dimension, value, unit FROM marts.fct_report_figures "
            f"WHERE table_name = '{NEW}' AND entity = 'alibaba_cloud' AND period = '2022H1'"
        ) == [(LIKE, "market=china_public_cloud_iaas", 33.5, "percent")]
        copied = rows(
            "SELECT dimensions, entity, metric, period, value, unit FROM marts.fct_report_figures "
            f"WHERE table_name = '{NEW}' EXCEPT ALL SELECT dimensions, entity, metric, period, "
            f"value, unit FROM marts.fct_report_figures WHERE table_name = '{LIKE}'"
        )
        assert copied == []
        [(new,)] = rows(f"SELECT count(*) FROM marts.fct_report_figures WHERE table_name = '{NEW}'")
        assert new == 14
        # its own staging model, the dimension unpacked into a column of its name
        assert rows(
            f"SELECT market, value FROM staging.stg_{NEW} "
            "WHERE entity = 'alibaba_cloud' AND metric = 'share'"
        ) == [("china_public_cloud_iaas", 33.5)]
