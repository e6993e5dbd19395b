"""The warehouse as a Dagster resource: one private build per run, published whole.

With the in-process executor the resource is set up once per run, so every asset of a run
writes into the same build and readers see the whole run's result appear at once. The
`publish/warehouse` asset publishes it as the run's last step, so a failed publish fails the
run. A run that does not select that asset (one asset materialized from the UI) is published
when the resource is torn down, if every step succeeded; a failure there is logged by Dagster
as "Teardown of resources failed" and leaves the previous version in place.
"""

from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from warehouse import settings
from warehouse.reporting.site import SITE_DIR
from warehouse.store import WarehouseBuild

# The Dagster concurrency pool of every step that writes the warehouse (each layer step and
# publishing). pipelines/dagster.yaml limits every pool to one slot, so the writing steps of
# two runs of one instance in progress at once (a `crw refresh` in a shell beside a run the
# daemon launched) never overlap.
WAREHOUSE_POOL = "warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """Write access to the DuckDB warehouse for the duration of a run."""

    path: str = ""

    _build: WarehouseBuild | None = PrivateAttr(default=None)
    _published: Path | None = PrivateAttr(default=None)

    @property
    def published_path(self) -> Path:
        return Path(self.path) if self.path else settings.warehouse_path()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._published = None
        self._build = WarehouseBuild(
            self.published_path, token=context.run.run_id[:8], linked=(SITE_DIR,)
        )
        self._build.open(on_wait=context.log.warning)
        for note in self._build.notes:
            context.log.warning(note)

    def publish(self) -> Path | None:
        """Publish the build now (the run's last step) and return the new version's directory,
        or None if the run changed nothing. Raises PublishError if publishing failed."""
        self._published = self.build.close(publish=True)
        self._build = None
        return self._published

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        # Publish all of the run or none of it: a run in which any step failed (an asset, a
        # blocking check, an interruption) leaves readers on the last complete warehouse
        # rather than on new tables beside stale ones.
        if self._build is None:
            return
        failed = context.instance.get_run_stats(context.run.run_id).steps_failed
        version = self._build.close(publish=failed == 0)
        self._build = None
        if version is not None:
            context.log.info(f"published {self.published_path} (version {version.name})")
        elif failed:
            context.log.warning(
                f"{failed} step(s) failed: nothing published, {self.published_path} still "
                "holds the last complete refresh"
            )

    @property
    def build(self) -> WarehouseBuild:
        if self._build is None:
            raise RuntimeError("WarehouseResource is used outside a run, or after publish")
        return self._build
