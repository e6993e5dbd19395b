-- The low_code figures of staging.stg_figures: units normalized, report and source attached.
SELECT * EXCLUDE (table_name, dimensions) FROM staging.stg_figures
WHERE table_name = 'low_code'
