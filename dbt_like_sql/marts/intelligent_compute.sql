-- China's intelligent (AI) compute capacity in EFLOPS, stated and forecast, and the national compute build-out.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity AS region, entity_zh AS region_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_intelligent_compute
    )
    ON measure USING first(value)
)
ORDER BY report_id, region, period
