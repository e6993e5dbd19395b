-- The data-center projects the report lists, one row per project: its description and cited
-- source with its figures (investment, racks, compute, power …) as columns named with their
-- unit, each figure's qualifier (<column>_qualifier), and in_mismatch, true when one of them is
-- in an audit finding (marts.figure_findings).
WITH figures AS (
    SELECT report_id, project_id,
           COLUMNS('^(.*)_figure$') AS '\1',  -- noqa: RF05
           COLUMNS('_qualifier$'),
           coalesce(greatest(*COLUMNS('_in_finding$')), false) AS in_mismatch
    FROM (
        PIVOT (
            SELECT report_id, entity AS project_id, measure, value, value_qualifier,
                   figure_id IN (SELECT figure_id FROM marts.figure_findings) AS in_finding
            FROM staging.stg_datacenter_project_figures
        )
        ON measure
        USING first(value) AS figure, first(value_qualifier) AS qualifier,
              bool_or(in_finding) AS in_finding
    )
)

SELECT p.report_id, p.project_id, p.name_zh, p.description_zh, p.expected_completion,
       p.section, p.data_source, f.* EXCLUDE (report_id, project_id, in_mismatch),
       coalesce(f.in_mismatch, false) AS in_mismatch
FROM staging.stg_datacenter_projects AS p
LEFT JOIN figures AS f USING (report_id, project_id)
ORDER BY p.report_id, p.project_id
