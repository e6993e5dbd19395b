"""The DuckDB relations that Python code reads or writes by name, each name typed once here.

A relation is `schema.table` (SQL models are named by their files in `dbt_like_sql/`). The
Dagster asset key of a relation is its two parts, built in one place
(`pipelines/assets/keys.py`), so the UI's graph and the warehouse name the same things.
"""

RAW, MARTS = "raw", "marts"

FIGURES_MART = "marts.fct_report_figures"  # every stated figure, one row each
DIM_REPORTS = "marts.dim_reports"
DIM_DATA_SOURCES = "marts.dim_data_sources"
# the marts Python builds (pipelines/assets/metrics.py)
GPU_DEMAND = "marts.gpu_demand"
GPU_DEMAND_SENSITIVITY = "marts.gpu_demand_sensitivity"
CAGR = "marts.cagr"
REPORT_CONSISTENCY = "marts.report_consistency"
REPORT_COVERAGE = "marts.report_coverage"


def raw(table: str) -> str:
    """`raw.<table>`: where a table of `sources/tables.yaml` is loaded."""
    return f"{RAW}.{table}"


REPORTS = raw("reports")
REPORT_DOCUMENTS = raw("report_documents")
GPU_SCENARIOS = raw("gpu_scenarios")
ACCELERATORS = raw("accelerators")


def split(relation: str) -> tuple[str, str]:
    """`marts.cagr` → ("marts", "cagr")."""
    schema, _, table = relation.partition(".")
    return schema, table
