-- The market_share figures of staging.stg_figures, with their market: units normalized, report and
-- source attached.
SELECT dimensions['market'] AS market, * EXCLUDE (table_name, dimensions)
FROM staging.stg_figures
WHERE table_name = 'market_share'
