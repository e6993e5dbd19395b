-- Public cloud market size by region and segment, in the currency the report states it in.
SELECT
    region,
    segment,
    segment_zh,
    period,
    coalesce(market_size_usd_100m, market_size_cny_100m) AS size,
    market_size_usd_100m IS NOT NULL AS in_usd,
    growth_pct
FROM marts.public_cloud_market
WHERE
    report_id = $1 AND segment <> 'total'
    AND coalesce(market_size_usd_100m, market_size_cny_100m) IS NOT NULL
ORDER BY region DESC, segment ASC
