"""One step per layer: a subsettable multi-asset that builds each selected asset of the layer.

Dagster pays a fixed cost per step (events, context, resource bookkeeping), and a layer of
many fast assets (47 SQL models, 22 raw tables) paid it per asset. Here a layer is one op,
as `dagster-dbt` does for a dbt project: every asset keeps its own key, group, metadata,
materialization and checks, and a run that selects some of them (the UI, the sensor,
declarative automation) builds only those, in dependency order.

A member that fails does not stop the layer: the members that do not depend on it are still
built, the ones that do are skipped, and the step fails at the end naming every failure, so
nothing downstream of the layer runs and the run publishes nothing.
"""

import graphlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg

from pipelines.metadata import catalog_metadata
from pipelines.resources import WAREHOUSE_POOL, WarehouseResource

Result = dg.MaterializeResult | dg.AssetCheckResult
# Metadata of the step's Failure: {asset: why} of the members that failed, and that were skipped
FAILED_ASSETS, SKIPPED_ASSETS = "failed_assets", "skipped_assets"


@dataclass(frozen=True)
class Build:
    """What a member's function gets: the run's warehouse, the step's config, and whether
    to write its table (False when a run selected only its checks: evaluate them on what
    is there, change nothing)."""

    warehouse: WarehouseResource
    write: bool
    config: Any = None


@dataclass(frozen=True)
class Member:
    """One asset of a layer. `build` yields its MaterializeResult (if it writes) and its check
    results, each naming the asset key; `relation` (`schema.table`) names the DuckDB table it
    writes, whose row count and column schema the layer then reads from the catalog for all
    its members in one query."""

    spec: dg.AssetSpec
    build: Callable[[Build], Iterable[Result]]
    checks: Sequence[dg.AssetCheckSpec] = ()
    relation: str | None = None


def _in_dependency_order(members: Sequence[Member]) -> list[Member]:
    by_key = {m.spec.key: m for m in members}
    graph = graphlib.TopologicalSorter()
    for member in members:
        inside = [d.asset_key for d in member.spec.deps if d.asset_key in by_key]
        graph.add(member.spec.key, *inside)
    return [by_key[key] for key in graph.static_order()]


def _describe(key: dg.AssetKey, error: Exception) -> str:
    """Our own failures name their table; anything else is named after the asset."""
    if isinstance(error, dg.Failure) and error.description:
        return error.description
    return f"{key.to_user_string()}: {type(error).__name__}: {error}"


def _run_layer(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    members: Sequence[Member],
    config: Any,
) -> Iterable[Result]:
    selected, selected_checks = context.selected_asset_keys, context.selected_asset_check_keys
    failed: dict[dg.AssetKey, str] = {}
    skipped: dict[dg.AssetKey, str] = {}
    results: list[Result] = []
    built: dict[dg.AssetKey, str] = {}  # asset -> relation, for the catalog metadata
    first_error: Exception | None = None
    for member in members:
        key = member.spec.key
        write = key in selected
        if not write and not any(c.key in selected_checks for c in member.checks):
            continue
        upstream = sorted(
            d.asset_key.to_user_string()
            for d in member.spec.deps
            if d.asset_key in failed or d.asset_key in skipped
        )
        if upstream:
            skipped[key] = f"upstream {', '.join(upstream)} failed"
            continue
        try:
            for result in member.build(Build(warehouse, write, config)):
                if isinstance(result, dg.AssetCheckResult):
                    if dg.AssetCheckKey(result.asset_key, result.check_name) in selected_checks:
                        results.append(result)
                elif write:
                    results.append(result)
                    if member.relation:
                        built[key] = member.relation
        except Exception as error:  # reported with the others when the layer is done
            failed[key] = _describe(key, error)
            first_error = first_error or error
    catalog = catalog_metadata(warehouse.build.connection, set(built.values()))
    for result in results:
        if isinstance(result, dg.MaterializeResult):
            relation = built.get(result.asset_key)
            metadata = {**catalog.get(relation, {}), **(result.metadata or {})}
            # Given to the context, the metadata goes on the materialization only; given to
            # the result, Dagster copies it into the step's output event as well, which no
            # one reads (at one report, 40 % of the bytes a refresh's events serialize).
            if metadata:
                context.add_asset_metadata(metadata, asset_key=result.asset_key)
            result = dg.MaterializeResult(
                asset_key=result.asset_key, data_version=result.data_version
            )
        yield result
    if failed:
        raise dg.Failure(
            description="\n".join(
                [
                    *failed.values(),
                    *(f"{k.to_user_string()}: skipped, {why}" for k, why in skipped.items()),
                ]
            ),
            metadata={
                FAILED_ASSETS: {k.to_user_string(): why for k, why in failed.items()},
                SKIPPED_ASSETS: {k.to_user_string(): why for k, why in skipped.items()},
            },
            allow_retries=False,
        ) from first_error


def layer_asset(
    name: str,
    members: Sequence[Member],
    *,
    config_class: type[dg.Config] | None = None,
    description: str | None = None,
) -> dg.AssetsDefinition:
    """The layer's members as one subsettable multi-asset named `name` (its op and step)."""
    ordered = _in_dependency_order(members)
    settings = dict(
        name=name,
        specs=[m.spec for m in ordered],
        check_specs=[c for m in ordered for c in m.checks],
        can_subset=True,
        description=description,
        pool=WAREHOUSE_POOL,
    )
    if config_class is None:

        @dg.multi_asset(**settings)
        def layer(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
            yield from _run_layer(context, warehouse, ordered, None)

        return layer

    @dg.multi_asset(**settings)
    def configured_layer(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, config: config_class
    ):
        yield from _run_layer(context, warehouse, ordered, config)

    return configured_layer
