-- The longest-span CAGR of China's intelligent compute (earliest start first), for its path.
SELECT
    CAST(start_period AS INTEGER) AS start_year,
    start_value,
    years,
    cagr_pct,
    stated_cagr_pct
FROM marts.cagr
WHERE report_id = $1 AND series = 'intelligent_compute/china/compute'
ORDER BY years DESC, start_year ASC
LIMIT 1
