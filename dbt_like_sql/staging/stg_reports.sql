-- The report registry (sources/reports.yaml): one row per report with its title, publisher and
-- publication date, the date from which its figures are the current knowledge.
SELECT
    report_id,
    title,
    title_zh,
    publisher,
    publisher_zh,
    publication_date,
    publication_date_precision,
    language,
    note
FROM raw.reports
