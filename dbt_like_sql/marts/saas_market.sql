-- The SaaS market: global and China market size, growth, CAGR and SaaS vendor figures.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity, entity_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_saas_market
    )
    ON measure USING first(value)
)
ORDER BY report_id, entity, period
