-- Every unit a figure may be stated in (sources/units.csv), with the factor to its base unit,
-- the currency it counts (USD, CNY; NULL for non-currency units) and the suffix the topic marts
-- give a column in that unit (spend_usd_mn, revenue_cny_100m, growth_pct, compute_eflops).
SELECT
    unit,
    base_unit,
    factor,
    dimension,
    description,
    CASE WHEN dimension = 'currency' THEN base_unit END AS currency,
    CASE unit
        WHEN 'percent' THEN 'pct'
        WHEN 'percentage points' THEN 'pp'
        WHEN 'count' THEN ''
        WHEN 'rank' THEN ''
        ELSE trim(regexp_replace(
            replace(replace(replace(replace(replace(lower(unit), '10^16', '1e16'),
                ' 100 million', '_100m'), ' million', '_mn'), ' trillion', '_tn'),
                '10 thousand', '10k'),
            '[^a-z0-9]+', '_', 'g'), '_')
    END AS column_suffix
FROM raw.units
