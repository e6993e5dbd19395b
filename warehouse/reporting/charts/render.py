"""A chart as PNG bytes, and every chart written to a folder.

Figures are drawn on `matplotlib.figure.Figure` objects (no pyplot, no global state), which
is safe in a long-lived Dagster process; rendering fails if any glyph is missing from the
fonts (matplotlib's "Glyph … missing from font(s)" warning).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.atomic_files import write_file_atomically
from warehouse.reporting.charts.catalog import CHARTS, ChartSpec
from warehouse.reporting.charts.fonts import cjk_font

DPI = 110


def render(spec: ChartSpec, con: duckdb.DuckDBPyConnection, report_id: str) -> bytes:
    """The chart as PNG bytes; raises if a label has a glyph no installed font has."""
    import matplotlib
    from matplotlib.figure import Figure

    family = cjk_font()
    with matplotlib.rc_context(
        {
            "font.family": [family, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "axes.spines.top": False,
            # Labels come from the data: a `$` in one is text, not a mathtext formula.
            "text.parse_math": False,
        }
    ):
        fig = Figure(figsize=(10, 5.6), dpi=DPI, layout="constrained")
        spec.draw(con, report_id, fig)
        buffer = io.BytesIO()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(buffer, format="png")
    missing = sorted({str(w.message) for w in caught if "missing from font" in str(w.message)})
    if missing:
        raise RuntimeError(f"chart {spec.name}: {'; '.join(missing)}")
    return buffer.getvalue()


@dataclass(frozen=True)
class WrittenChart:
    spec: ChartSpec
    path: Path


def write_charts(
    con: duckdb.DuckDBPyConnection, report_id: str, folder: Path
) -> list[WrittenChart]:
    """Render every chart and write it to `folder` (each file replaced atomically)."""
    written = []
    for spec in CHARTS:
        path = folder / spec.file_name
        write_file_atomically(path, render(spec, con, report_id))
        written.append(WrittenChart(spec, path))
    return written
