-- Every figure series has exactly one current value: returns the series that are missing from
-- marts.latest_figures or appear in it more than once.
SELECT v.series_id, count(l.series_id) AS current_values
FROM (SELECT DISTINCT series_id FROM marts.figure_vintages) AS v
LEFT JOIN marts.latest_figures AS l USING (series_id)
GROUP BY v.series_id
HAVING count(l.series_id) <> 1
