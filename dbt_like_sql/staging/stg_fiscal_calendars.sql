-- The fiscal year of every entity with fiscal periods (sources/fiscal_calendars.csv).
SELECT entity, fiscal_year_end_month, note FROM raw.fiscal_calendars
