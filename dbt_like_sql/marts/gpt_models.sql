-- The GPT model family and ChatGPT: parameters, pre-training data, training compute, traffic.
-- One column per metric, named with its unit (grain and unique key: _models.yml).
SELECT *
FROM (
    PIVOT (
        SELECT report_id, entity AS model, entity_zh AS model_zh, period, is_forecast,
               data_source, measure, value
        FROM staging.stg_gpt_models
    )
    ON measure USING first(value)
)
ORDER BY report_id, model, period
