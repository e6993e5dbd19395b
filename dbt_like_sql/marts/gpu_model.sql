-- The report's GPU demand model for ChatGPT (training and inference): its assumptions and results.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity AS workload, entity_zh AS workload_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_gpu_model
    )
    ON measure USING first(value)
)
ORDER BY report_id, workload, period
