-- The reports: one row each with title, publisher, publication date and how many figures the
-- warehouse holds from it.
SELECT
    r.*,
    (SELECT count(*) FROM staging.stg_figures AS f WHERE f.report_id = r.report_id) AS figures
FROM staging.stg_reports AS r
ORDER BY r.publication_date, r.report_id
