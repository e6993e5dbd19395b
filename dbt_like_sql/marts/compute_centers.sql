-- Intelligent compute centers and their planned compute.
-- One row per center and period; one column per metric, named with its unit.
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity AS center, entity_zh AS center_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_compute_centers
    )
    ON measure USING first(value)
)
ORDER BY report_id, center, period
