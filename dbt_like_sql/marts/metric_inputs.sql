-- Lineage of every derived number: one row per (derived row, input it was computed from).
-- An input is a stated figure (figure_id of marts.fct_report_figures) or an assumption from
-- outside the report (a gpu_scenarios.csv row, or a run's one-off scenario). One join to
-- marts.fct_report_figures leads any derived number back to its report, section and source.
WITH inputs AS (
    SELECT 'gpu_demand' AS derived_table, scenario || '/' || workload AS derived_id,
           unnest(input_ids) AS input_id
    FROM marts.gpu_demand
    UNION ALL
    SELECT
        'cagr' AS derived_table,
        series || '/' || start_period || '/' || end_period AS derived_id,
        unnest(input_ids) AS input_id
    FROM marts.cagr
    UNION ALL
    SELECT
        'report_consistency' AS derived_table,
        check_id AS derived_id,
        unnest(input_ids) AS input_id
    FROM marts.report_consistency
)

-- A figure that is both the stated side and an input of a relation is one lineage row.
SELECT DISTINCT
    i.derived_table,
    i.derived_id,
    i.input_id,
    CASE
        WHEN f.figure_id IS NOT NULL THEN 'figure'
        WHEN i.input_id LIKE 'gpu_scenarios/%' THEN 'scenario_file'
        ELSE 'run_config'
    END AS input_kind,
    f.figure_id,
    f.report_id,
    f.section,
    f.data_source
FROM inputs AS i
LEFT JOIN marts.fct_report_figures AS f ON f.figure_id = i.input_id
ORDER BY ALL
