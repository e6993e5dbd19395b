"""The benchmark's synthetic report sets are valid sources: every table of 3 generated reports
loads and validates, each report has every figure of the real one, and only metrics no rule
relates were perturbed (so the scale benchmark measures the pipeline, not failing loads)."""

from benchmarks.synthetic import report_id, write_reports
from warehouse.loading import load_table
from warehouse.registry import Registry


def test_three_synthetic_reports_load_cleanly(tmp_path, real_sources):
    figures = write_reports(tmp_path, 3, real_sources)
    real, registry = Registry.load(real_sources), Registry.load(tmp_path)
    assert registry.report_ids == {report_id(i) for i in (1, 2, 3)}
    assert registry.unregistered_files() == []
    loaded = {name: load_table(registry, spec).frame for name, spec in registry.tables.items()}
    real_figures = sum(
        len(load_table(real, spec).frame) for spec in real.tables.values() if spec.metrics
    )
    assert figures == 3 * real_figures
    it_spend = loaded["it_spend"]  # every it_spend metric is ruled: totals, growth, headline
    assert it_spend.groupby("report_id")["value"].sum().nunique() == 1
    ai_cloud = loaded["ai_cloud"]  # free metrics: one factor per report and metric
    assert ai_cloud.groupby("report_id")["value"].sum().nunique() == 3
