-- Hyperscalers' server depreciation policy changes: useful lives before and after, and savings.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity AS company, entity_zh AS company_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_server_depreciation
    )
    ON measure USING first(value)
)
ORDER BY report_id, company, period
