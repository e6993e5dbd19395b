-- Hyperscalers' cloud revenue, growth and operating margins (company filings).
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, company, entity AS segment, entity_zh AS segment_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_hyperscaler_financials
    )
    ON measure USING first(value)
)
ORDER BY report_id, company, segment, period
