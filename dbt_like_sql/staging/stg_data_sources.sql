-- Every source a report cites (sources/data_sources.csv): Gartner, IDC, 中国信通院, company
-- filings, the report's own estimates.
SELECT
    data_source,
    name AS data_source_name,
    name_zh AS data_source_name_zh
FROM raw.data_sources
