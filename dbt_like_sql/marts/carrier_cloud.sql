-- The telecom carriers' cloud businesses (移动云, 天翼云, 联通云): revenue, growth and cloudification.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity AS carrier, entity_zh AS carrier_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_carrier_cloud
    )
    ON measure USING first(value)
)
ORDER BY report_id, carrier, period
