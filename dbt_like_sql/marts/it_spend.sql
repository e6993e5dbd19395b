-- Global IT spending by segment (Gartner): spend in USD million and growth in percent, 2022 actuals and 2023 forecasts.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity AS segment, entity_zh AS segment_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_it_spend
    )
    ON measure USING first(value)
)
ORDER BY report_id, segment, period
