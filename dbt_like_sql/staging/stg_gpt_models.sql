-- The gpt_models figures of staging.stg_figures: units normalized, report and source attached.
SELECT * EXCLUDE (table_name, dimensions) FROM staging.stg_figures
WHERE table_name = 'gpt_models'
