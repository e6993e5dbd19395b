-- Every stated value with its validity window, the way archival statistics keep vintages: a
-- value is valid from its report's publication date until the next report that states the same
-- figure (valid_to, NULL while it is the newest), and revision compares it with the vintage
-- before. A series is one figure across reports: table, dimensions, entity, metric, period and
-- cited source (figures from different sources are alternative estimates, not revisions).
WITH stated AS (
    SELECT
        concat_ws('/', f.table_name, array_to_string(map_values(f.dimensions), '/'),
                  f.entity, f.metric, f.period, f.data_source) AS series_id,
        f.*,
        r.publication_date
    FROM marts.fct_report_figures AS f
    INNER JOIN marts.dim_reports AS r USING (report_id)
)

SELECT
    series_id,
    figure_id,
    report_id,
    table_name,
    dimensions,
    metric,
    entity,
    entity_zh,
    period,
    data_source,
    is_forecast,
    value,
    unit,
    value_qualifier,
    value_base,
    base_unit,
    currency,
    row_number() OVER series AS vintage,
    publication_date AS valid_from,
    lead(publication_date) OVER series AS valid_to,
    lead(publication_date) OVER series IS NULL AS is_latest,
    lag(report_id) OVER series AS previous_report_id,
    lag(value_base) OVER series AS previous_value_base,
    -- to 12 significant digits, like value_base: a difference of floats is not exact
    CASE
        WHEN value_base = lag(value_base) OVER series THEN 0
        ELSE round(value_base - lag(value_base) OVER series,
                   11 - floor(log10(abs(value_base - lag(value_base) OVER series)))::INTEGER)
    END AS revision,
    round(100 * (value_base / nullif(lag(value_base) OVER series, 0) - 1), 2) AS revision_pct
FROM stated
WINDOW series AS (PARTITION BY series_id ORDER BY publication_date, report_id)
ORDER BY series_id, vintage
