"""The SQL models every figures table needs, generated from the registry (`tables.yaml`).

The registry already knows each figures table's name, dimensions and topic, so the models
that only restate them are written here rather than by hand: adding a figures table is its
CSV files and its `tables.yaml` entry. Generated, per registry:

- `staging.stg_figure_rows`: every figures table's rows in one long table, with the table's
  topic mart (`topic:`, else its name) and its dimension columns packed into the `dimensions`
  map (`staging/stg_figures.sql` normalises them);
- `staging.stg_<table>`: one table's figures of `staging.stg_figures`, dimensions unpacked.

A topic mart (`marts/<topic>.sql`, one column per metric) stays an optional SQL file. A SQL
file of the same name as a generated model replaces it.
"""

from __future__ import annotations

from warehouse.registry import FIGURES, Registry, TableSpec
from warehouse.relations import raw
from warehouse.store import quote, sql_literal

STAGING = "staging"
FIGURE_ROWS = "staging.stg_figure_rows"


def _figures_tables(registry: Registry) -> list[TableSpec]:
    return sorted(
        (spec for spec in registry.tables.values() if spec.kind == FIGURES),
        key=lambda spec: spec.name,
    )


def _rows_of(spec: TableSpec) -> str:
    # The topic is a column here rather than a model of its own: a model that reads no
    # relation would run as a step of its own in Dagster's plan (it joins no upstream step).
    named = f"SELECT {sql_literal(spec.name)} AS table_name, {sql_literal(spec.topic)} AS topic"
    dims = list(spec.dimensions)
    if not dims:
        no_dims = "CAST(NULL AS MAP(VARCHAR, VARCHAR)) AS dimensions"
        return f"{named}, {no_dims}, * FROM {raw(spec.name)}"
    packed = ", ".join(f"{sql_literal(d)}: {quote(d)}" for d in dims)
    return (
        f"{named}, MAP {{{packed}}} AS dimensions, "
        f"* EXCLUDE ({', '.join(map(quote, dims))}) FROM {raw(spec.name)}"
    )


def _figure_rows(specs: list[TableSpec]) -> str:
    union = "\nUNION ALL BY NAME\n".join(_rows_of(spec) for spec in specs)
    return (
        "-- Every figures table's rows in one long table (generated from sources/tables.yaml): "
        "the table's name, its topic mart (marts.<topic>: the `topic:`, else the table's name), "
        "its dimension columns packed into the dimensions map.\n" + union
    )


def _staging_table(spec: TableSpec) -> str:
    dims = list(spec.dimensions)
    unpacked = "".join(f"dimensions[{sql_literal(d)}] AS {quote(d)}, " for d in dims)
    about = f", with their {', '.join(dims)}" if dims else ""
    return (
        f"-- The {spec.name} figures of staging.stg_figures{about}: units normalized, report "
        "and source attached.\n"
        f"SELECT {unpacked}* EXCLUDE (table_name, topic, dimensions) FROM staging.stg_figures\n"
        f"WHERE table_name = {sql_literal(spec.name)}"
    )


def generated_models(registry: Registry) -> dict[str, str]:
    """relation → SQL of every generated model."""
    specs = _figures_tables(registry)
    models = {FIGURE_ROWS: _figure_rows(specs)}
    models |= {f"{STAGING}.stg_{spec.name}": _staging_table(spec) for spec in specs}
    return models
