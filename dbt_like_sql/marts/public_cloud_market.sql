-- Public cloud market size and growth by region and segment (IaaS, PaaS, SaaS), global in USD and China in CNY.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, region, entity AS segment, entity_zh AS segment_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_public_cloud_market
    )
    ON measure USING first(value)
)
ORDER BY report_id, region, segment, period
