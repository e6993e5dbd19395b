-- The IT spending segments add up to the stated total (within USD 5 million of rounding):
-- returns the report and period of every total the segments miss.
SELECT
    s.report_id,
    s.period,
    sum(s.spend_usd_mn) FILTER (WHERE s.segment <> 'total') AS segments_usd_mn,
    any_value(s.spend_usd_mn) FILTER (WHERE s.segment = 'total') AS total_usd_mn
FROM marts.it_spend AS s
GROUP BY s.report_id, s.period
HAVING abs(segments_usd_mn - total_usd_mn) > 5
