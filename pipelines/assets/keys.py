"""An asset's key is its DuckDB relation: `staging.stg_it_spend` ↔
AssetKey(["staging", "stg_it_spend"]). Every layer builds its keys here, so a dependency
named by its relation always finds the asset that writes it."""

import dagster as dg

from warehouse.relations import split


def relation_key(relation: str) -> dg.AssetKey:
    return dg.AssetKey(list(split(relation)))
