-- Cloud adoption by industry: deployment ratios, revenue contribution and growth.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity AS industry, entity_zh AS industry_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_cloud_adoption
    )
    ON measure USING first(value)
)
ORDER BY report_id, industry, period
