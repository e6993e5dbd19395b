"""Running the real code location in-process, as `make run` does."""

import dagster as dg


def materialize(asset_keys: list[dg.AssetKey] | None = None) -> dg.ExecuteInProcessResult:
    """Run the real code location's assets in-process (as `make run` does), fresh from disk."""
    from pipelines.definitions import defs

    job = defs().resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=asset_keys
    )
