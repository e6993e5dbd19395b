"""The report's key figures as PNG charts, drawn with matplotlib from the marts.

One module per job: `fonts` finds a CJK font, `queries` runs the chart's SQL (the `.sql`
files in `sql/`, one per frame a chart reads), `style` holds the shared drawing helpers,
`markets`, `compute` and `gpu` draw the charts of their topic, `catalog` lists the charts
and `render` turns one into PNG bytes and writes them all.

matplotlib is imported only when a chart is drawn: importing it costs ~2.5 s, which every
load of the code location would pay.
"""

from warehouse.reporting.charts.catalog import CHART_FIGURE_TABLES, CHART_READS, CHARTS, ChartSpec
from warehouse.reporting.charts.fonts import cjk_font
from warehouse.reporting.charts.render import WrittenChart, render, write_charts

__all__ = [
    "CHARTS",
    "CHART_FIGURE_TABLES",
    "CHART_READS",
    "ChartSpec",
    "WrittenChart",
    "cjk_font",
    "render",
    "write_charts",
]
