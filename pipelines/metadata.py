"""Materialization metadata every table asset reports: rows, column schema and a preview."""


import dagster as dg
import pandas as pd

PREVIEW_ROWS = 10


def table_metadata(frame: pd.DataFrame, column_docs: dict[str, str] | None = None) -> dict:
    docs = column_docs or {}
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn(name=str(name), type=str(dtype), description=docs.get(str(name)))
            for name, dtype in frame.dtypes.items()
        ]
    )
    return {
        "dagster/row_count": len(frame),
        "dagster/column_schema": schema,
        "preview": dg.MetadataValue.md(frame.head(PREVIEW_ROWS).to_markdown(index=False)),
    }
