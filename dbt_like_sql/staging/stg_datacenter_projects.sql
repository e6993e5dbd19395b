-- The data-center projects the report lists (a records table): one row per project, with its
-- cited source. Their figures (investment, racks, compute) are in staging.stg_datacenter_project_figures.
SELECT
    p.report_id,
    p.project_id,
    p.name_zh,
    p.description_zh,
    p.expected_completion,
    p.section,
    p.data_source,
    s.data_source_name,
    p.note,
    p.source_file,
    p.source_line
FROM raw.datacenter_projects AS p
LEFT JOIN staging.stg_data_sources AS s USING (data_source)
