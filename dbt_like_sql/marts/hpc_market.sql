-- The HPC market (TrendForce) and HPC cloud offerings.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity, entity_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_hpc_market
    )
    ON measure USING first(value)
)
ORDER BY report_id, entity, period
