"""Running the real code location in-process, as `make run` does."""

import dagster as dg


def materialize(asset_keys: list[dg.AssetKey] | None = None) -> dg.ExecuteInProcessResult:
    """Run the real code location's refresh job in-process (as `make run` does), fresh from
    disk: every asset but the per-report partitions, which run in a job of their own."""
    from pipelines.automation import REFRESH_JOB
    from pipelines.definitions import defs

    job = defs().resolve_job_def(REFRESH_JOB)
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=asset_keys
    )
