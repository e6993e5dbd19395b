-- Low-code / no-code adoption and productivity figures.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity, entity_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_low_code
    )
    ON measure USING first(value)
)
ORDER BY report_id, entity, period
