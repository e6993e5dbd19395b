"""A chart as PNG bytes, and every chart written to a folder.

Figures are drawn on `matplotlib.figure.Figure` objects (no pyplot, no global state), which
is safe in a long-lived Dagster process; rendering fails if any glyph is missing from the
fonts (matplotlib's "Glyph … missing from font(s)" warning).

A chart is drawn again only when what it is drawn from changed: the marts it reads, the
report it shows, the chart code (this package's `.py` and `.sql` files and every `warehouse`
module they import) or matplotlib's version. Each PNG's fingerprint of those is kept beside
the charts (FINGERPRINTS); a run starts from the published charts, so a refresh of unchanged
sources keeps all eight and never imports matplotlib (about 2 s of a refresh).
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

import duckdb

from warehouse.atomic_files import write_file_atomically
from warehouse.code_fingerprint import code_fingerprint
from warehouse.relations import split
from warehouse.reporting.charts.catalog import CHARTS, ChartSpec
from warehouse.reporting.charts.fonts import cjk_font
from warehouse.reporting.fingerprints import table_fingerprint
from warehouse.store import quote

DPI = 110
FINGERPRINTS = ".fingerprints.json"  # chart name -> the fingerprint its PNG was drawn from
_PACKAGE = Path(__file__).parent


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


@cache
def _code_fingerprint() -> str:
    """The chart code (with every module it imports), its SQL and the matplotlib that draws
    it."""
    digest = hashlib.sha256(version("matplotlib").encode())
    digest.update(code_fingerprint(__package__).encode())
    for path in sorted(_PACKAGE.glob("sql/*.sql")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def chart_fingerprint(spec: ChartSpec, con: duckdb.DuckDBPyConnection, report_id: str) -> str:
    """What the chart is drawn from: equal fingerprints, equal PNG."""
    parts = [_code_fingerprint(), report_id]
    for relation in spec.reads:
        quoted = ".".join(quote(part) for part in split(relation))
        parts.append(table_fingerprint(con, quoted, con.execute(f"DESCRIBE {quoted}").fetchall()))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class WrittenChart:
    spec: ChartSpec
    path: Path
    drawn: bool  # False: the PNG already in the folder was drawn from the same inputs


def _known(folder: Path) -> dict[str, str]:
    try:
        return json.loads((folder / FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_charts(
    con: duckdb.DuckDBPyConnection, report_id: str, folder: Path
) -> list[WrittenChart]:
    """Every chart in `folder`: drawn and written (each file replaced atomically) unless the
    PNG there was drawn from the same inputs."""
    known = _known(folder)
    fingerprints: dict[str, str] = {}
    written: list[WrittenChart] = []
    for spec in CHARTS:
        path = folder / spec.file_name
        fingerprints[spec.name] = chart_fingerprint(spec, con, report_id)
        drawn = known.get(spec.name) != fingerprints[spec.name] or not path.is_file()
        if drawn:
            write_file_atomically(path, render(spec, con, report_id))
        written.append(WrittenChart(spec, path, drawn))
    write_file_atomically(folder / FINGERPRINTS, json.dumps(fingerprints, indent=1).encode())
    return written
