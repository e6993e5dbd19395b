-- Global IT spending by segment and period, in USD billion (the total row is the title).
SELECT
    segment,
    segment_zh,
    period,
    is_forecast,
    spend_usd_mn / 1000 AS spend_usd_bn,
    growth_pct
FROM marts.it_spend
WHERE report_id = $1 AND spend_usd_mn IS NOT NULL
ORDER BY segment, period
