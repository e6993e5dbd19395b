-- Today's view: the newest stated value of every figure series (metric, entity, period, with
-- its table, dimensions and cited source), the number of vintages it has had and when it was
-- first stated.
SELECT
    * EXCLUDE (is_latest),
    count(*) OVER (PARTITION BY series_id) AS vintages,
    min(valid_from) OVER (PARTITION BY series_id) AS first_stated
FROM marts.figure_vintages
QUALIFY is_latest
ORDER BY series_id
