-- The public_cloud_market figures of staging.stg_figures, with their region: units normalized, report and
-- source attached.
SELECT dimensions['region'] AS region, * EXCLUDE (table_name, dimensions)
FROM staging.stg_figures
WHERE table_name = 'public_cloud_market'
