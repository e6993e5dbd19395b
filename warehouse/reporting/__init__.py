"""The report's figures for people: PNG charts (`charts`) and a self-contained HTML page
(`page`), read from the warehouse's marts. No Dagster here: a notebook can use them too."""

from pathlib import Path
from typing import Any

import duckdb

from warehouse.relations import FIGURES_MART as FIGURES_TABLE

CHARTS_DIR = "charts"
REPORT_FILE = "report.html"


def charts_dir(warehouse_file: Path) -> Path:
    """Charts live beside the warehouse file, so a test's private warehouse gets its own."""
    return warehouse_file.parent / CHARTS_DIR


def report_path(warehouse_file: Path) -> Path:
    return warehouse_file.parent / REPORT_FILE


def report_to_show(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> dict[str, Any]:
    """The newest report that states figures in every one of `tables` (the charts and the page
    show its figures): a later report restating only a few figures does not displace it."""
    frame = con.execute(
        f"""SELECT r.* FROM marts.dim_reports r
            WHERE (SELECT count(DISTINCT f.table_name) FROM {FIGURES_TABLE} f
                   WHERE f.report_id = r.report_id AND list_contains(?, f.table_name)) = ?
            ORDER BY r.publication_date DESC, r.report_id LIMIT 1""",
        [list(tables), len(set(tables))],
    ).df()
    if frame.empty:
        raise ValueError(f"no report in the warehouse states figures in all of {list(tables)}")
    return {str(k): v for k, v in frame.iloc[0].to_dict().items()}


def provenance(
    con: duckdb.DuckDBPyConnection, report_id: str, tables: tuple[str, ...]
) -> list[tuple[str, str, str]]:
    """(section, data_source, data_source_name) of the figures of `tables` in the report,
    in section order."""
    if not tables:
        return []
    return [
        tuple(row)
        for row in con.execute(
            f"SELECT DISTINCT section, data_source, data_source_name FROM {FIGURES_TABLE} "
            "WHERE report_id = ? AND list_contains(?, table_name) ORDER BY ALL",
            [report_id, list(tables)],
        ).fetchall()
    ]


def provenance_text(entries: list[tuple[str, str, str]]) -> str:
    """`§1.1 Gartner; §1.3 IDC, Company filings`: sections with the sources cited in them."""
    by_section: dict[str, list[str]] = {}
    for section, _, name in entries:
        by_section.setdefault(section, []).append(name)
    return "; ".join(f"§{section} {', '.join(names)}" for section, names in by_section.items())
