"""The SQL models over the real sources: every figure reaches marts.fct_report_figures once,
in its base unit too; the Dagster graph is the SQL's; a new .sql file is a new asset; a failing
model test shows its offending rows; revisions by a later report become vintages."""

import csv
import hashlib
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from runs import materialize

from pipelines.assets.keys import relation_key
from pipelines.definitions import defs
from warehouse import settings
from warehouse.figure_models import FIGURE_ROWS, generated_models
from warehouse.models import ModelProject
from warehouse.registry import FIGURES, Registry
from warehouse.reporting.charts import CHART_FIGURE_TABLES
from warehouse.reporting.provenance import report_to_show

SOFTWARE_2023 = "swsc_cloud_2023/it_spend/software/spend/2023"


def figures_in_sources(root: Path) -> int:
    registry = Registry.load(root)
    return sum(
        sum(1 for _ in csv.DictReader(path.open(encoding="utf-8-sig")))
        for spec in registry.tables.values()
        if spec.kind == FIGURES
        for _, path in registry.source_files(spec)
    )


def test_every_figure_reaches_the_fact_table_once(db, real_sources):
    count, ids = db.execute(
        "SELECT count(*), count(DISTINCT figure_id) FROM marts.fct_report_figures"
    ).fetchall()[0]
    assert count == ids == figures_in_sources(real_sources) == 250


def test_figures_in_their_base_units(db):
    row = db.execute(
        "SELECT value, unit, value_base, base_unit, currency, is_forecast, data_source_name, "
        "period_start, period_end FROM marts.fct_report_figures WHERE figure_id = ?",
        [SOFTWARE_2023],
    ).fetchall()[0]
    assert row == (
        856029,
        "USD million",
        856029e6,
        "USD",
        "USD",
        True,
        "Gartner",
        date(2023, 1, 1),
        date(2023, 12, 31),
    )
    compute = db.execute(
        "SELECT value, value_base, base_unit, currency FROM marts.fct_report_figures "
        "WHERE table_name = 'intelligent_compute' AND metric = 'compute' AND period = '2026'"
    ).fetchall()[0]
    assert compute == (1271.4, pytest.approx(1.2714e21), "FLOPS", None)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2022H1", date(2022, 1, 1), date(2022, 6, 30)),
        ("2022Q3", date(2022, 7, 1), date(2022, 9, 30)),
        # Microsoft's fiscal year ends on 30 June (fiscal_calendars.csv): the report's 23Q2
        ("FY2023Q2", date(2022, 10, 1), date(2022, 12, 31)),
        ("FY2022Q3", date(2022, 1, 1), date(2022, 3, 31)),
        ("FY2022Q4", date(2022, 4, 1), date(2022, 6, 30)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2021/2026", date(2021, 1, 1), date(2026, 12, 31)),
        ("2023-01-24/2023-02-24", date(2023, 1, 24), date(2023, 2, 24)),
    ],
)
def test_periods_as_dates(db, period, start, end):
    bounds = db.execute(
        "SELECT DISTINCT period_start, period_end FROM marts.fct_report_figures WHERE period = ?",
        [period],
    ).fetchall()
    assert bounds == [(start, end)]


def test_topic_marts_name_the_unit_in_the_column(db):
    assert db.execute(
        "SELECT spend_usd_mn, growth_pct, is_forecast FROM marts.it_spend "
        "WHERE segment = 'software' AND period = '2023'"
    ).fetchall()[0] == (856029, 9.3, True)
    assert db.execute(
        "SELECT share_pct, rank FROM marts.market_share WHERE market = "
        "'china_public_cloud_iaas_paas' AND vendor = 'china_telecom_cloud'"
    ).fetchall()[0] == (10.2, 3)
    assert db.execute(
        "SELECT revenue_cny_100m, growth_pct FROM marts.carrier_cloud "
        "WHERE carrier = 'china_telecom_cloud' AND period = '2022H1'"
    ).fetchall()[0] == (280.8, 100.8)
    assert db.execute(
        "SELECT compute_eflops FROM marts.intelligent_compute WHERE period = '2026'"
    ).fetchall()[0] == (1271.4,)
    assert db.execute("SELECT count(*) FROM marts.datacenter_projects").fetchall() == [(9,)]
    # 总投资12亿人民币 (1.7), 总投资超过11.5亿元: the two projects the report gives a total for
    assert db.execute(
        "SELECT project_id, investment_cny_100m FROM marts.datacenter_projects "
        "WHERE investment_cny_100m IS NOT NULL ORDER BY project_id"
    ).fetchall() == [
        ("keppel_shanghai_qingpu_datacenter", 12.0),
        ("zhongyuan_ai_computing_center_phase2", 11.5),
    ]


def test_dimensions_keep_english_and_chinese_names(db):
    assert db.execute(
        "SELECT entity_zh, names_zh FROM marts.dim_entities WHERE entity = 'aws'"
    ).fetchall()[0] == ("亚马逊云", ["亚马逊云", "亚马逊云科技"])
    assert db.execute("SELECT figures FROM marts.dim_reports").fetchall() == [(250,)]


def test_docs_are_stored_in_duckdb(db):
    table = db.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' "
        "AND table_name = 'fct_report_figures'"
    ).fetchall()[0][0]
    column = db.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' "
        "AND table_name = 'fct_report_figures' AND column_name = 'figure_id'"
    ).fetchall()[0][0]
    macro = db.execute(
        "SELECT comment FROM duckdb_functions() WHERE schema_name = 'marts' "
        "AND function_name = 'figures_as_of'"
    ).fetchall()[0][0]
    assert table.startswith("Every figure the reports state")
    assert column.startswith("Stable id of the figure")
    assert macro.startswith("What the warehouse knew on a given date")


def test_one_report_means_one_vintage_each(db):
    assert db.execute(
        "SELECT count(*), count(valid_to), min(vintage), max(vintage) FROM marts.figure_vintages"
    ).fetchall()[0] == (250, 0, 1, 1)
    assert db.execute("SELECT count(*) FROM marts.latest_figures").fetchall()[0] == (250,)


# ---- the Dagster graph is the SQL's -------------------------------------------------------


def tables(graph) -> set[str]:
    """Every table of the code location: `raw/it_spend` → `raw.it_spend`."""
    return {".".join(key.path) for key in graph.get_all_asset_keys()}


def _project(graph) -> ModelProject:
    return ModelProject.load(tables(graph), generated=generated_models(Registry.load()))


def test_one_asset_per_sql_file_or_generated_model_with_the_sqls_dependencies():
    graph = defs().resolve_asset_graph()
    root = settings.models_dir()
    files = {
        p.relative_to(root).with_suffix("")
        for p in root.glob("*/*.sql")
        if p.parent.name != "tests"
    }
    models = {k for k in graph.get_all_asset_keys() if "sql" in graph.get(k).kinds}
    generated = {relation_key(r) for r in generated_models(Registry.load())}
    assert models == {dg.AssetKey(list(f.parts)) for f in files} | generated
    # the union of the rows, then one stg_<table> per figures table: 16 tables, 17 models
    assert len(generated) == 1 + sum(s.kind == FIGURES for s in Registry.load().tables.values())
    project = _project(graph)
    for model in project.models.values():
        node = graph.get(relation_key(model.relation))
        assert node.parent_keys == {relation_key(r) for r in model.reads}, model.file
        assert node.group_name == model.schema and "duckdb" in node.kinds
        assert node.description, model.file
    assert graph.get(dg.AssetKey(["staging", "stg_it_spend"])).parent_keys == {
        dg.AssetKey(["staging", "stg_figures"])
    }
    staging_check = dg.AssetCheckKey(dg.AssetKey(["staging", "stg_figures"]), "not_null_base_unit")
    assert graph.get(staging_check).blocking
    marts_check = dg.AssetCheckKey(dg.AssetKey(["marts", "fct_report_figures"]), "unique_key")
    assert not graph.get(marts_check).blocking


def test_every_raw_table_has_a_staging_model():
    registry = Registry.load()
    models = _project(defs().resolve_asset_graph()).models
    for spec in registry.tables.values():
        assert f"staging.stg_{spec.name}" in models, spec.name
        reader = FIGURE_ROWS if spec.kind == FIGURES else f"staging.stg_{spec.name}"
        assert f"raw.{spec.name}" in models[reader].reads, spec.name


# ---- a second report, a new model file and a planted duplicate, in temporary copies --------

LATER_REPORT = """\
  - report_id: later_test_report
    title_zh: 测试报告
    title: A synthetic later report that restates one figure
    publisher: Test
    publisher_zh: 测试
    publication_date: 2024-01-15
    publication_date_precision: exact
    language: zh
    document: report.txt
"""
LATER_DOCUMENT = "软件支出：2023年为870000百万美元，\n2024年预计为950000百万美元。\n"
LATER_IT_SPEND = (
    "entity,entity_zh,metric,period,value,unit,value_qualifier,is_forecast,section,data_source,"
    "note,quote\n"
    "software,软件,spend,2023,870000,USD million,=,false,1.1,gartner,restated,"
    "软件支出：2023年为870000百万美元\n"
    "software,软件,spend,2024,950000,USD million,=,true,1.1,gartner,new,"
    "软件支出：2023年为870000百万美元，2024年预计为950000百万美元\n"
)
NEW_MODEL = """\
-- Software spend as each report states it.
SELECT report_id, period, spend_usd_mn FROM marts.it_spend WHERE segment = 'software'
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, real_sources):
    """One run over a later report plus a new model file and a duplicate planted in a mart."""
    root = tmp_path_factory.mktemp("scenario")
    sources, models = root / "sources", root / "dbt_like_sql"
    shutil.copytree(real_sources, sources)
    document = LATER_DOCUMENT.encode("utf-8")
    with (sources / "reports.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            LATER_REPORT + f"    document_sha256: {hashlib.sha256(document).hexdigest()}\n"
        )
    (sources / "later_test_report").mkdir()
    (sources / "later_test_report" / "report.txt").write_bytes(document)
    (sources / "later_test_report" / "it_spend.csv").write_text(LATER_IT_SPEND, encoding="utf-8")
    shutil.copytree(settings.models_dir(), models)
    (models / "marts" / "software_spend.sql").write_text(NEW_MODEL, encoding="utf-8")
    entities = models / "marts" / "dim_entities.sql"
    query = entities.read_text(encoding="utf-8")
    entities.write_text(
        f"SELECT * FROM ({query})\nUNION ALL\nSELECT * FROM ({query}) WHERE entity = 'software'",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCES_PATH", str(sources))
        patch.setenv("MODELS_PATH", str(models))
        patch.setenv("WAREHOUSE_PATH", str(root / "cloud.duckdb"))
        graph = defs().resolve_asset_graph()
        result = materialize()
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    con = duckdb.connect(str(root / "cloud.duckdb"), read_only=True)
    yield graph, result, con, sources
    con.close()


def test_a_new_sql_file_is_a_new_asset_downstream(scenario):
    graph, _, con, _ = scenario
    key = dg.AssetKey(["marts", "software_spend"])
    assert graph.get(key).parent_keys == {dg.AssetKey(["marts", "it_spend"])}
    assert graph.get(key).group_name == "marts"
    rows = con.execute(
        "SELECT report_id, period, spend_usd_mn FROM marts.software_spend ORDER BY ALL"
    ).fetchall()
    assert ("swsc_cloud_2023", "2023", 856029) in rows
    assert ("later_test_report", "2024", 950000) in rows


def test_a_failing_model_test_shows_the_offending_rows(scenario):
    graph, result, _, _ = scenario
    evaluations = {
        (e.asset_key, e.check_name): e
        for e in result.get_asset_check_evaluations()
        if "sql" in graph.get(e.asset_key).kinds
    }  # the SQL models' tests
    failed = [k for k, e in evaluations.items() if not e.passed]
    assert failed == [(dg.AssetKey(["marts", "dim_entities"]), "unique_key")]
    evaluation = evaluations[failed[0]]
    assert evaluation.severity == dg.AssetCheckSeverity.WARN  # marts warn, the run goes on
    assert evaluation.metadata["failing_rows"].value == 2
    assert "| software " in evaluation.metadata["offending_rows"].value


def test_the_fact_table_counts_every_report(scenario):
    _, _, con, sources = scenario
    assert (
        con.execute("SELECT count(*) FROM marts.fct_report_figures").fetchall()[0][0]
        == figures_in_sources(sources)
        == 250 + 2
    )


SERIES = "it_spend/software/spend/2023/gartner"


def test_a_restated_figure_becomes_a_second_vintage(scenario):
    _, _, con, _ = scenario
    vintages = con.execute(
        "SELECT vintage, report_id, value, valid_from, valid_to, revision FROM "
        "marts.figure_vintages WHERE series_id = ? ORDER BY vintage",
        [SERIES],
    ).fetchall()
    assert vintages == [
        (1, "swsc_cloud_2023", 856029, date(2023, 3, 10), date(2024, 1, 15), None),
        (2, "later_test_report", 870000, date(2024, 1, 15), None, 13971e6),
    ]
    assert con.execute(
        "SELECT value, vintages FROM marts.latest_figures WHERE series_id = ?", [SERIES]
    ).fetchall()[0] == (870000, 2)
    unrevised = con.execute(
        "SELECT valid_to, is_latest FROM marts.figure_vintages "
        "WHERE series_id = 'it_spend/devices/spend/2023/gartner'"
    ).fetchall()
    assert unrevised == [(None, True)]  # not restated: still the current value


@pytest.mark.parametrize(
    ("as_of", "value"),
    [
        ("2023-01-01", None),
        ("2023-06-30", 856029),
        ("2024-01-15", 870000),
        ("2025-01-01", 870000),
    ],
)
def test_figures_as_of_a_date(scenario, as_of, value):
    _, _, con, _ = scenario
    rows = con.execute(
        "SELECT value FROM marts.figures_as_of(CAST(? AS DATE)) WHERE series_id = ?",
        [as_of, SERIES],
    ).fetchall()
    assert rows == ([] if value is None else [(value,)])


def test_charts_keep_the_report_that_states_every_charted_table(scenario):
    """A later report restating a couple of figures does not replace the charted report."""
    _, _, con, _ = scenario
    assert report_to_show(con, CHART_FIGURE_TABLES)["report_id"] == "swsc_cloud_2023"
    assert report_to_show(con, ("it_spend",))["report_id"] == "later_test_report"
