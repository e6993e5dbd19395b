-- Cloud vendors' market shares and ranks, per market (global IaaS, China public cloud IaaS, IaaS+PaaS …).
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, market, entity AS vendor, entity_zh AS vendor_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_market_share
    )
    ON measure USING first(value)
)
ORDER BY report_id, market, vendor, period
