-- Every vendor's share, by market, largest first.
SELECT
    market,
    vendor_zh,
    period,
    share_pct
FROM marts.market_share
WHERE report_id = $1 AND share_pct IS NOT NULL
ORDER BY market ASC, share_pct DESC, vendor_zh ASC
