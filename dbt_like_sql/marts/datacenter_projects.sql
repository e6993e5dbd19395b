-- The data-center projects the report lists, one row per project: its description and cited
-- source with its figures (investment, racks, compute, power …) as columns named with their unit.
WITH figures AS (
    PIVOT (
        SELECT report_id, entity AS project_id, measure, value
        FROM staging.stg_datacenter_project_figures
    )
    ON measure USING first(value)
)

SELECT p.report_id, p.project_id, p.name_zh, p.description_zh, p.expected_completion,
       p.section, p.data_source, f.* EXCLUDE (report_id, project_id)
FROM staging.stg_datacenter_projects AS p
LEFT JOIN figures AS f USING (report_id, project_id)
ORDER BY p.report_id, p.project_id
