-- What the warehouse knew on a given date: the vintage of every figure series valid that day.
-- Usage: SELECT * FROM marts.figures_as_of(DATE '2023-06-30')
CREATE OR REPLACE MACRO marts.figures_as_of(as_of) AS TABLE  -- noqa: CP05
SELECT *
FROM marts.figure_vintages
WHERE valid_from <= CAST(as_of AS DATE)
  AND (valid_to IS NULL OR valid_to > CAST(as_of AS DATE))
