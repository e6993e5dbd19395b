-- The sources the reports cite (Gartner, IDC, 中国信通院, company filings …), with how many
-- figures cite each.
SELECT
    s.*,
    (SELECT count(*) FROM staging.stg_figures AS f WHERE f.data_source = s.data_source) AS figures
FROM staging.stg_data_sources AS s
ORDER BY s.data_source
