-- The GPT model family and ChatGPT: parameters, pre-training data, training compute, traffic.
-- One column per metric, named with its unit; then each metric's qualifier (<column>_qualifier)
-- and in_mismatch, true when a figure of the row is in an audit finding (marts.figure_findings).
-- Grain and unique key: _models.yml.
SELECT report_id, model, model_zh, period, is_forecast, data_source,
       COLUMNS('^(.*)_figure$') AS '\1',  -- noqa: RF05
       COLUMNS('_qualifier$'),
       coalesce(greatest(*COLUMNS('_in_finding$')), false) AS in_mismatch
FROM (
    PIVOT (
        SELECT report_id, entity AS model, entity_zh AS model_zh, period, is_forecast,
               data_source, measure, value, value_qualifier,
               figure_id IN (SELECT figure_id FROM marts.figure_findings) AS in_finding
        FROM staging.stg_gpt_models
    )
    ON measure
    USING first(value) AS figure, first(value_qualifier) AS qualifier,
          bool_or(in_finding) AS in_finding
)
ORDER BY report_id, model, period
