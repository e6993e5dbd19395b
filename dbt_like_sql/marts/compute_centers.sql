-- Intelligent compute centers and their planned compute.
-- One column per metric, named with its unit; then each metric's qualifier (<column>_qualifier)
-- and in_mismatch, true when a figure of the row is in an audit finding (marts.figure_findings).
-- Grain and unique key: _models.yml.
SELECT report_id, center, center_zh, period, is_forecast, data_source,
       COLUMNS('^(.*)_figure$') AS '\1',  -- noqa: RF05
       -- the spelled-out figure (每秒X亿亿次, 10^16 FLOPS) in the unit the data-center
       -- projects state their compute in
       ai_compute_spelled_out_1e16_flops_figure * 10 AS ai_compute_pflops,
       COLUMNS('_qualifier$'),
       coalesce(greatest(*COLUMNS('_in_finding$')), false) AS in_mismatch
FROM (
    PIVOT (
        SELECT report_id, entity AS center, entity_zh AS center_zh, period, is_forecast,
               data_source, measure, value, value_qualifier,
               figure_id IN (SELECT figure_id FROM marts.figure_findings) AS in_finding
        FROM staging.stg_compute_centers
    )
    ON measure
    USING first(value) AS figure, first(value_qualifier) AS qualifier,
          bool_or(in_finding) AS in_finding
)
ORDER BY report_id, center, period
