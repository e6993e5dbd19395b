-- AI cloud offerings and their stated figures (market size, speed-ups, hardware specifications).
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity AS offering, entity_zh AS offering_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_ai_cloud
    )
    ON measure USING first(value)
)
ORDER BY report_id, offering, period
