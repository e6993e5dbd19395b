"""Which report the charts and the page show, and the sources its figures cite."""

from typing import Any

import duckdb

from warehouse.relations import FIGURES_MART


def report_to_show(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> dict[str, Any]:
    """The newest report that states figures in every one of `tables` (the charts and the page
    show its figures): a later report restating only a few figures does not displace it."""
    frame = con.execute(
        f"""SELECT r.* FROM marts.dim_reports r
            WHERE (SELECT count(DISTINCT f.table_name) FROM {FIGURES_MART} f
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
            f"SELECT DISTINCT section, data_source, data_source_name FROM {FIGURES_MART} "
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
