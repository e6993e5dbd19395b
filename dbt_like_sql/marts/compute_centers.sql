-- Intelligent compute centers and their planned compute.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
-- ai_compute_pflops converts the spelled-out figure (每秒X亿亿次, 10^16 FLOPS) to the unit the
-- data-center projects state their compute in.
SELECT *, ai_compute_spelled_out_1e16_flops * 10 AS ai_compute_pflops
FROM (
    PIVOT (
        SELECT report_id, entity AS center, entity_zh AS center_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_compute_centers
    )
    ON measure USING first(value)
)
ORDER BY report_id, center, period
