-- The figures the consistency audit found inconsistent: one row per figure and mismatched
-- relation it takes part in, as the stated figure or as one it was recomputed from. The topic
-- marts flag their rows from it (in_mismatch).
SELECT
    m.figure_id,
    c.check_id,
    m.figure_id = c.input_ids[1] AS is_stated_figure,
    c.relation,
    c.description,
    c.report_id
FROM marts.metric_inputs AS m
INNER JOIN marts.report_consistency AS c ON m.derived_id = c.check_id
WHERE m.derived_table = 'report_consistency' AND c.status = 'mismatch' AND m.figure_id IS NOT NULL
ORDER BY m.figure_id, c.check_id
