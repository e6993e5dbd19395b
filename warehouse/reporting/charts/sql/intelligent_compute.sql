-- China's intelligent compute by year (EFLOPS), actual and forecast.
SELECT
    CAST(period AS INTEGER) AS calendar_year,
    is_forecast,
    compute_eflops
FROM marts.intelligent_compute
WHERE
    report_id = $1 AND region = 'china' AND compute_eflops IS NOT NULL
    AND regexp_full_match(period, '\d{4}')
ORDER BY calendar_year
