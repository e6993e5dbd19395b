"""The warehouse as a Dagster resource: one private working copy per run, published on exit
if every step of the run succeeded.

With the in-process executor the resource is set up once per run, so every asset of a run
writes into the same working copy and readers see the whole run's result appear at once.
"""

from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from warehouse import settings
from warehouse.store import WarehouseBuild


class WarehouseResource(dg.ConfigurableResource):
    """Write access to the DuckDB warehouse for the duration of a run."""

    path: str = ""

    _build: WarehouseBuild | None = PrivateAttr(default=None)

    @property
    def published_path(self) -> Path:
        return Path(self.path) if self.path else settings.warehouse_path()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._build = WarehouseBuild(self.published_path)
        self._build.open()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        # Publish all of the run or none of it: a run in which any step failed (an asset, a
        # blocking check, an interruption) leaves readers on the last complete warehouse
        # rather than on new tables beside stale ones.
        if self._build is None:
            return
        failed = context.instance.get_run_stats(context.run.run_id).steps_failed
        if self._build.close(publish=failed == 0):
            context.log.info(f"published {self.published_path}")
        elif failed:
            context.log.warning(
                f"{failed} step(s) failed: nothing published, {self.published_path} still "
                "holds the last complete refresh"
            )

    @property
    def build(self) -> WarehouseBuild:
        if self._build is None:
            raise RuntimeError("WarehouseResource is used outside a run")
        return self._build
