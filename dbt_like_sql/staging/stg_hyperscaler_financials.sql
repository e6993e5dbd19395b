-- The hyperscaler_financials figures of staging.stg_figures, with their company: units normalized, report and
-- source attached.
SELECT dimensions['company'] AS company, * EXCLUDE (table_name, dimensions)
FROM staging.stg_figures
WHERE table_name = 'hyperscaler_financials'
