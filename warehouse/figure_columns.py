"""The columns of every figures table (sources/README.md), in their file order.

In a module of its own so that code that must not import pandas (the extractor) can name
them too.
"""

FIGURE_COLUMNS = (
    "entity",
    "entity_zh",
    "metric",
    "period",
    "value",
    "unit",
    "value_qualifier",
    "is_forecast",
    "section",
    "data_source",
    "note",
    "quote",
)
