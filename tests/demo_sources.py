"""A small, valid sources folder (two tables of one report) for tests of the machinery
rather than of the report's figures: fast to build and easy to change."""

import textwrap
from pathlib import Path

import yaml

from warehouse import settings

REPORT = "demo_report_2023"

TABLES_YAML = """
tables:
  reports:
    kind: reference
    file: reports.yaml
    description: The reports transcribed into sources/.
    key: [report_id]
    columns:
      report_id: {description: Folder name of the report.}
      title: {}
      published: {dtype: date}
  units:
    kind: reference
    file: units.csv
    description: Units a figure may be stated in.
    key: [unit]
    columns:
      unit: {}
      base_unit: {}
      factor: {dtype: float, gt: 0}
  data_sources:
    kind: reference
    file: data_sources.csv
    description: Sources the reports cite.
    key: [data_source]
    columns:
      data_source: {}
      name: {}
  it_spend:
    description: Global IT spending by segment.
    entities: [software, devices, total]
    metrics:
      spend: {units: [USD million], gt: 0}
    rules:
      - {rule: sum_to_total, metric: spend, total: total, tolerance: 5}
  cloud_market:
    description: Public cloud market size.
    entities: [china, global]
    metrics:
      revenue: {units: [CNY 100 million], gt: 0}
"""

# The demo report names no document in reports.yaml, so its quotes are left empty.
FIGURE_HEADER = (
    "entity,entity_zh,metric,period,value,unit,value_qualifier,is_forecast,section,data_source,"
    "note,quote"
)


def it_spend_csv(software: float = 100, version: str = "v1") -> str:
    rows = [
        f"software,软件,spend,2022,{software},USD million,=,false,1.1,gartner,{version},",
        f"devices,设备,spend,2022,200,USD million,=,false,1.1,gartner,{version},",
        f"total,总计,spend,2022,{software + 200},USD million,=,false,1.1,gartner,{version},",
    ]
    return "\n".join([FIGURE_HEADER, *rows]) + "\n"


def cloud_market_csv(version: str = "v1") -> str:
    rows = [
        f"china,中国,revenue,2022,4550,CNY 100 million,=,false,1.2,caict,{version},",
        f"global,全球,revenue,2022,30000,CNY 100 million,~,false,1.2,caict,{version},",
    ]
    return "\n".join([FIGURE_HEADER, *rows]) + "\n"


def _figure_columns_yaml() -> str:
    """The real registry's docs of the columns every table gets (a registry without them
    is refused), so the demo's stay the real ones."""
    real = yaml.safe_load((settings.PROJECT_ROOT / "sources" / "tables.yaml").read_text("utf-8"))
    return yaml.safe_dump({"figure_columns": real["figure_columns"]}, allow_unicode=True)


def write_sources(root: Path, version: str = "v1") -> None:
    """Every file of the demo sources; figures carry `version` in their note, so a reader
    can tell which refresh produced a table."""
    (root / REPORT).mkdir(parents=True, exist_ok=True)
    (root / "tables.yaml").write_text(TABLES_YAML + _figure_columns_yaml(), encoding="utf-8")
    (root / "reports.yaml").write_text(
        textwrap.dedent(f"""\
        reports:
          - report_id: {REPORT}
            title: Demo cloud report
            published: 2023-05-01
        """),
        encoding="utf-8",
    )
    (root / "units.csv").write_text(
        "unit,base_unit,factor\nUSD million,USD,1000000\nCNY 100 million,CNY,100000000\n"
        "percent,percent,1\n",
        encoding="utf-8",
    )
    (root / "data_sources.csv").write_text(
        "data_source,name\ngartner,Gartner\ncaict,中国信通院\n", encoding="utf-8"
    )
    (root / REPORT / "it_spend.csv").write_text(it_spend_csv(version=version), encoding="utf-8")
    (root / REPORT / "cloud_market.csv").write_text(cloud_market_csv(version), encoding="utf-8")
    (root / "README.md").write_text("# demo sources\n", encoding="utf-8")
