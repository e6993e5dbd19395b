-- Each carrier's cloud revenue and growth (without the three carriers' total).
SELECT
    carrier_zh,
    period,
    revenue_cny_100m,
    growth_pct
FROM marts.carrier_cloud
WHERE report_id = $1 AND revenue_cny_100m IS NOT NULL AND carrier <> 'telecom_carriers'
ORDER BY revenue_cny_100m DESC
